{{/* The Secret placeholder: where no ExternalSecret fills the Secret the containers read, a
     Secret of that name with no data, for a person to fill by hand. */}}

{{/* common.secret: expects the chart context; the whole templates/secret.yaml. */}}
{{- define "common.secret" -}}
{{- include "common.once" (dict "root" . "template" "common.secretPlaceholder") -}}
{{- end -}}

{{/* common.placeholderRefs: expects a component context; "<Secret name>/<key>" of every secret
     key its containers read (common.secretRefs) when secrets.placeholder is on, else nothing. */}}
{{- define "common.placeholderRefs" -}}
{{- if .v.secrets.placeholder -}}
{{- include "common.secretRefs" . -}}
{{- end -}}
{{- end -}}

{{/* common.secretPlaceholder: expects the chart-wide context; without externalSecrets.enabled,
     one Secret per Secret name the components read with secrets.placeholder on, with no data at
     all (values never reach it), annotated with the keys to fill in by hand. Containers read it
     with secretKeyRef, so pods wait until the keys exist. What a person writes into it must
     survive Argo CD and Helm: helm.sh/resource-policy keep, and Argo CD's Prune=false and
     Delete=false (the values are kept when the placeholder leaves the render or the Application
     is deleted). With externalSecrets.enabled the operator owns the Secret: no placeholder. */}}
{{- define "common.secretPlaceholder" -}}
{{- if not .v.externalSecrets.enabled -}}
{{- $refs := include "common.each" (dict "root" .root "template" "common.placeholderRefs") | fromYamlArray | uniq | sortAlpha -}}
{{- $bySecret := dict -}}
{{- range $refs -}}
{{- $secret := splitList "/" . | first -}}
{{- $_ := set $bySecret $secret (append (get $bySecret $secret | default list) (splitList "/" . | last)) -}}
{{- end -}}
{{- range $secret, $keys := $bySecret }}
---
apiVersion: v1
kind: Secret
metadata:
  name: {{ $secret }}
  labels:
    {{- include "common.labels" $ | nindent 4 }}
  annotations:
    helm.sh/resource-policy: keep
    argocd.argoproj.io/sync-options: Prune=false,Delete=false
    ananta.io/placeholder: "no data on purpose: fill these keys by hand (docs/secrets.md)"
    ananta.io/required-keys: {{ join "," $keys | quote }}
type: Opaque
{{ end -}}
{{- end -}}
{{- end -}}
