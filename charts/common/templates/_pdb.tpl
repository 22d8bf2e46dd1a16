{{/* PodDisruptionBudgets (policy/v1), one per component. */}}

{{/* common.poddisruptionbudget: expects the chart context; the whole
     templates/poddisruptionbudget.yaml. */}}
{{- define "common.poddisruptionbudget" -}}
{{- include "common.each" (dict "root" . "template" "common.pdbOf") -}}
{{- end -}}

{{/* common.pdbOf: expects a component context; its PDB: minAvailable when set, otherwise
     maxUnavailable (which stays valid with a single replica). */}}
{{- define "common.pdbOf" -}}
{{- with .v.podDisruptionBudget -}}
{{- if .enabled }}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ $.name }}
  labels:
    {{- include "common.labels" $ | nindent 4 }}
spec:
  {{- if and (hasKey . "minAvailable") (not (kindIs "invalid" .minAvailable)) }}
  minAvailable: {{ .minAvailable }}
  {{- else }}
  maxUnavailable: {{ .maxUnavailable }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "common.selectorLabels" $ | nindent 6 }}
{{ end -}}
{{- end -}}
{{- end -}}
