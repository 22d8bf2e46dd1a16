{{/* Services: one per component, plus a headless one for a StatefulSet. */}}

{{/* common.service: expects the chart context; the whole templates/service.yaml. */}}
{{- define "common.service" -}}
{{- include "common.each" (dict "root" . "template" "common.serviceOf") -}}
{{- end -}}

{{/* common.serviceOf: expects a component context; its Service (and headless Service). */}}
{{- define "common.serviceOf" -}}
{{- $sts := eq .v.kind "StatefulSet" }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ .name }}
  labels:
    {{- include "common.labels" . | nindent 4 }}
spec:
  type: {{ .v.service.type }}
  selector:
    {{- include "common.selectorLabels" . | nindent 4 }}
    {{- if and $sts .v.service.primaryOnly }}
    statefulset.kubernetes.io/pod-name: {{ .name }}-0
    {{- end }}
  ports:
    {{- include "common.servicePorts" . | nindent 4 }}
{{- if $sts }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ include "common.suffixed" (list .name "headless") }}
  labels:
    {{- include "common.labels" . | nindent 4 }}
    ananta.io/headless: "true"
spec:
  clusterIP: None
  publishNotReadyAddresses: true
  selector:
    {{- include "common.selectorLabels" . | nindent 4 }}
  ports:
    {{- include "common.servicePorts" . | nindent 4 }}
{{- end }}
{{ end -}}

{{/* common.servicePorts: expects a component context; the Service's port list. */}}
{{- define "common.servicePorts" -}}
- name: {{ .v.service.portName }}
  port: {{ .v.service.port }}
  targetPort: {{ .v.service.portName }}
  protocol: TCP
{{- end -}}
