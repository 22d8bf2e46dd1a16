{{/* HorizontalPodAutoscalers: autoscaling/v2 on CPU and memory, Deployments only. */}}

{{/* common.hpa: expects the chart context; the whole templates/hpa.yaml. */}}
{{- define "common.hpa" -}}
{{- include "common.each" (dict "root" . "template" "common.hpaOf") -}}
{{- end -}}

{{/* common.hpaOf: expects a component context; its HPA when autoscaling.enabled and the
     workload is a Deployment (a StatefulSet keeps its replicas). */}}
{{- define "common.hpaOf" -}}
{{- if and .v.autoscaling.enabled (eq .v.kind "Deployment") }}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ .name }}
  labels:
    {{- include "common.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ .name }}
  minReplicas: {{ .v.autoscaling.minReplicas }}
  maxReplicas: {{ .v.autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ .v.autoscaling.targetCPUUtilizationPercentage }}
    - type: Resource
      resource:
        name: memory
        target:
          type: Utilization
          averageUtilization: {{ .v.autoscaling.targetMemoryUtilizationPercentage }}
{{ end -}}
{{- end -}}
