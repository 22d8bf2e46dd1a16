{{/* The Secret placeholder, rendered only when no existingSecret is set and no ExternalSecret
     fills the Secret. */}}

{{/* common.secret: expects the chart context; the whole templates/secret.yaml. */}}
{{- define "common.secret" -}}
{{- include "common.once" (dict "root" . "template" "common.secretPlaceholder") -}}
{{- end -}}

{{/* common.secretKeys: expects a component context; the secret keys it reads from the
     placeholder (none when its own existingSecret is set), one "- key" line each. */}}
{{- define "common.secretKeys" -}}
{{- if not .v.secrets.existingSecret -}}
{{- range $var, $key := .v.secrets.env }}
- {{ $key | quote }}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* common.secretPlaceholder: expects the chart-wide context; a Secret with no data at all
     (values never reach it), annotated with the keys to fill in out of band. Containers read
     it with secretKeyRef, so pods wait until the keys exist. Not rendered with
     externalSecrets.enabled: the ExternalSecret's operator owns that Secret. */}}
{{- define "common.secretPlaceholder" -}}
{{- if not (or .v.secrets.existingSecret .v.externalSecrets.enabled) -}}
{{- $keys := include "common.each" (dict "root" .root "template" "common.secretKeys") | fromYamlArray | uniq | sortAlpha -}}
{{- if $keys }}
---
apiVersion: v1
kind: Secret
metadata:
  name: {{ include "common.secretName" . }}
  labels:
    {{- include "common.labels" . | nindent 4 }}
  annotations:
    helm.sh/resource-policy: keep
    ananta.io/placeholder: "no data on purpose: fill these keys out of band, or set secrets.existingSecret"
    ananta.io/required-keys: {{ join "," $keys | quote }}
type: Opaque
{{ end -}}
{{- end -}}
{{- end -}}
