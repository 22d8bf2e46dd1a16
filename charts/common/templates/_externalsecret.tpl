{{/* ExternalSecrets (external-secrets.io/v1): the Secrets the containers read, filled from a
     ClusterSecretStore, when externalSecrets.enabled. */}}

{{/* common.externalsecret: expects the chart context; the whole templates/externalsecret.yaml. */}}
{{- define "common.externalsecret" -}}
{{- include "common.once" (dict "root" . "template" "common.externalSecretsOf") -}}
{{- end -}}

{{/* common.secretRefs: expects a component context; "<Secret name>/<key>" of every secret key
     its containers read, as a YAML list. */}}
{{- define "common.secretRefs" -}}
{{- $secret := include "common.secretName" . -}}
{{- range $var, $key := .v.secrets.env }}
- {{ printf "%s/%s" $secret $key | quote }}
{{- end -}}
{{- end -}}

{{/* common.externalSecretsOf: expects the chart-wide context; one ExternalSecret per Secret the
     components read, targeting that Secret, whose data is exactly the keys they read (optional
     ones too: the store must hold every key, empty if unused), each from the remote key
     <remoteKeyPrefix>/<key>. */}}
{{- define "common.externalSecretsOf" -}}
{{- with .v.externalSecrets -}}
{{- if .enabled -}}
{{- $refs := include "common.each" (dict "root" $.root "template" "common.secretRefs") | fromYamlArray | uniq | sortAlpha -}}
{{- $bySecret := dict -}}
{{- range $refs -}}
{{- $secret := splitList "/" . | first -}}
{{- $_ := set $bySecret $secret (append (get $bySecret $secret | default list) (splitList "/" . | last)) -}}
{{- end -}}
{{- $store := tpl .storeName $.root -}}
{{- $prefix := tpl .remoteKeyPrefix $.root | trimSuffix "/" -}}
{{- range $secret, $keys := $bySecret }}
---
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata:
  name: {{ $secret }}
  labels:
    {{- include "common.labels" $ | nindent 4 }}
spec:
  refreshInterval: {{ $.v.externalSecrets.refreshInterval }}
  secretStoreRef:
    kind: ClusterSecretStore
    name: {{ $store }}
  target:
    name: {{ $secret }}
    creationPolicy: Owner
    deletionPolicy: Retain
  data:
    {{- range $keys }}
    - secretKey: {{ . }}
      remoteRef:
        key: {{ printf "%s/%s" $prefix . }}
        {{- with $.v.externalSecrets.remoteProperty }}
        property: {{ . }}
        {{- end }}
    {{- end }}
{{ end -}}
{{- end -}}
{{- end -}}
{{- end -}}
