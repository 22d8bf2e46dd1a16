{{/* ConfigMaps: the settings of each component, the nginx server of frontends, and the files
     of components that set `files`. */}}

{{/* common.configmap: expects the chart context; the whole templates/configmap.yaml. */}}
{{- define "common.configmap" -}}
{{- include "common.each" (dict "root" . "template" "common.configmapOf") -}}
{{- end -}}

{{/* common.configData: expects a component context; the ConfigMap data: `config` (through
     tpl) plus LOG_LEVEL from logLevel. */}}
{{- define "common.configData" -}}
{{- $data := dict -}}
{{- range $key, $value := .v.config -}}
{{- $_ := set $data $key (tpl (toString $value) $.root) -}}
{{- end -}}
{{- $_ := set $data "LOG_LEVEL" .v.logLevel -}}
{{- toYaml $data -}}
{{- end -}}

{{/* common.configmapOf: expects a component context; its ConfigMap (and nginx and files
     ConfigMaps). */}}
{{- define "common.configmapOf" }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .name }}
  labels:
    {{- include "common.labels" . | nindent 4 }}
data:
  {{- include "common.configData" . | nindent 2 }}
{{- if .v.nginx.enabled }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "common.suffixed" (list .name "nginx") }}
  labels:
    {{- include "common.labels" . | nindent 4 }}
data:
  default.conf: |
    {{- include "common.nginxServer" . | nindent 4 }}
{{- end }}
{{- with include "common.filesData" . }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "common.suffixed" (list $.name "files") }}
  labels:
    {{- include "common.labels" $ | nindent 4 }}
data:
  {{- . | nindent 2 }}
{{- end }}
{{ end -}}

{{/* common.nginxServer: expects a component context; the nginx server block of a frontend:
     static files with SPA fallback on containerPort, and /health for the probes. */}}
{{- define "common.nginxServer" -}}
server {
    listen {{ .v.containerPort }};
    server_name _;
    root /usr/share/nginx/html;
    index index.html;

    location = /health {
        access_log off;
        default_type text/plain;
        return 200 "ok\n";
    }

    location / {
        try_files $uri $uri/ /index.html;
    }
}
{{- end -}}
