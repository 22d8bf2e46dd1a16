{{/* Ingresses: nginx class, cert-manager TLS, one host per component that enables one. */}}

{{/* common.ingress: expects the chart context; the whole templates/ingress.yaml. */}}
{{- define "common.ingress" -}}
{{- include "common.each" (dict "root" . "template" "common.ingressOf") -}}
{{- end -}}

{{/* common.ingressOf: expects a component context; its Ingress when ingress.enabled. */}}
{{- define "common.ingressOf" -}}
{{- include "common.validate" . -}}
{{- with .v.ingress -}}
{{- if .enabled }}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {{ $.name }}
  labels:
    {{- include "common.labels" $ | nindent 4 }}
  annotations:
    cert-manager.io/cluster-issuer: {{ .clusterIssuer }}
    {{- with .annotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  ingressClassName: {{ .className }}
  tls:
    - hosts:
        - {{ .host | quote }}
      secretName: {{ .tlsSecretName | default (include "common.suffixed" (list $.name "tls")) }}
  rules:
    - host: {{ .host | quote }}
      http:
        paths:
          - path: {{ .path }}
            pathType: {{ .pathType }}
            backend:
              service:
                name: {{ $.name }}
                port:
                  name: {{ $.v.service.portName }}
{{ end -}}
{{- end -}}
{{- end -}}
