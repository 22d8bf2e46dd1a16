{{/* The chart's ServiceAccount, shared by its components; no API token unless asked for. */}}

{{/* common.serviceaccount: expects the chart context; the whole templates/serviceaccount.yaml. */}}
{{- define "common.serviceaccount" -}}
{{- include "common.once" (dict "root" . "template" "common.serviceaccountOf") -}}
{{- end -}}

{{/* common.serviceaccountOf: expects the chart-wide context; the ServiceAccount. */}}
{{- define "common.serviceaccountOf" -}}
{{- with .root.Values.serviceAccount -}}
{{- if .create }}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "common.serviceAccountName" $.root }}
  labels:
    {{- include "common.labels" $ | nindent 4 }}
  {{- with .annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
automountServiceAccountToken: {{ .automountToken }}
{{ end -}}
{{- end -}}
{{- end -}}
