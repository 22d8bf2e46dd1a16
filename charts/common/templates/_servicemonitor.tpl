{{/* Prometheus ServiceMonitors (monitoring.coreos.com/v1). */}}

{{/* common.servicemonitor: expects the chart context; the whole templates/servicemonitor.yaml. */}}
{{- define "common.servicemonitor" -}}
{{- include "common.each" (dict "root" . "template" "common.servicemonitorOf") -}}
{{- end -}}

{{/* common.servicemonitorOf: expects a component context; its ServiceMonitor when
     serviceMonitor.enabled: the named Service port, never the headless Service. */}}
{{- define "common.servicemonitorOf" -}}
{{- with .v.serviceMonitor -}}
{{- if .enabled }}
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ $.name }}
  labels:
    {{- include "common.labels" $ | nindent 4 }}
    {{- with .labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  selector:
    matchLabels:
      {{- include "common.selectorLabels" $ | nindent 6 }}
    matchExpressions:
      - key: ananta.io/headless
        operator: DoesNotExist
  endpoints:
    - port: {{ $.v.service.portName }}
      path: {{ .path }}
      interval: {{ .interval }}
      scrapeTimeout: {{ .scrapeTimeout }}
{{ end -}}
{{- end -}}
{{- end -}}
