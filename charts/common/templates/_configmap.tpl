{{/* ConfigMaps: the settings of each component, the nginx server of frontends, and the files
     of components that set `files`. */}}

{{/* common.configmap: expects the chart context; the whole templates/configmap.yaml. */}}
{{- define "common.configmap" -}}
{{- include "common.each" (dict "root" . "template" "common.configmapOf") -}}
{{- end -}}

{{/* common.configData: expects a component context; the ConfigMap data: `config` (through
     tpl), then LOG_LEVEL, LOG_FORMAT and the OpenTelemetry variables (these win). */}}
{{- define "common.configData" -}}
{{- $data := dict -}}
{{- range $key, $value := .v.config -}}
{{- $_ := set $data $key (tpl (toString $value) $.root) -}}
{{- end -}}
{{- $_ := set $data "LOG_LEVEL" .v.logLevel -}}
{{- $_ = set $data "LOG_FORMAT" .v.logFormat -}}
{{- $data = merge (include "common.otelEnv" . | fromYaml) $data -}}
{{- toYaml $data -}}
{{- end -}}

{{/* common.otelEnv: expects a component context; the standard OpenTelemetry SDK variables as
     YAML: its service name and resource, W3C propagation (the trace ID is the logs'
     correlation ID), and traces over OTLP when tracing.enabled (else the SDK is off). Metrics
     and logs are never exported over OTLP: Prometheus scrapes, logs go to stdout. */}}
{{- define "common.otelEnv" -}}
OTEL_SERVICE_NAME: {{ .name | quote }}
OTEL_RESOURCE_ATTRIBUTES: {{ printf "deployment.environment.name=%s,service.namespace=%s,service.version=%s" .v.environment .v.partOf (include "common.version" .) | quote }}
OTEL_PROPAGATORS: tracecontext,baggage
OTEL_METRICS_EXPORTER: none
OTEL_LOGS_EXPORTER: none
{{- if .v.tracing.enabled }}
OTEL_SDK_DISABLED: "false"
OTEL_TRACES_EXPORTER: otlp
OTEL_EXPORTER_OTLP_ENDPOINT: {{ .v.tracing.endpoint | quote }}
OTEL_EXPORTER_OTLP_PROTOCOL: {{ .v.tracing.protocol | quote }}
OTEL_TRACES_SAMPLER: parentbased_traceidratio
OTEL_TRACES_SAMPLER_ARG: {{ toString .v.tracing.samplingRatio | quote }}
{{- else }}
OTEL_SDK_DISABLED: "true"
OTEL_TRACES_EXPORTER: none
{{- end }}
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
