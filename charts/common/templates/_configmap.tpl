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
     correlation ID), the OTLP endpoint and the sampler, and traces exported over OTLP when
     tracing.enabled; off, OTEL_SDK_DISABLED and no exporter, the other variables unchanged
     (so the ConfigMaps of all environments have the same keys). Metrics and logs are never
     exported over OTLP: Prometheus scrapes, logs go to stdout. */}}
{{- define "common.otelEnv" -}}
OTEL_SERVICE_NAME: {{ .name | quote }}
OTEL_RESOURCE_ATTRIBUTES: {{ printf "deployment.environment.name=%s,service.namespace=%s,service.version=%s" .v.environment .v.partOf (include "common.version" .) | quote }}
OTEL_PROPAGATORS: tracecontext,baggage
OTEL_METRICS_EXPORTER: none
OTEL_LOGS_EXPORTER: none
OTEL_EXPORTER_OTLP_ENDPOINT: {{ .v.tracing.endpoint | quote }}
OTEL_EXPORTER_OTLP_PROTOCOL: {{ .v.tracing.protocol | quote }}
OTEL_TRACES_SAMPLER: parentbased_traceidratio
OTEL_TRACES_SAMPLER_ARG: {{ toString .v.tracing.samplingRatio | quote }}
{{- if .v.tracing.enabled }}
OTEL_SDK_DISABLED: "false"
OTEL_TRACES_EXPORTER: otlp
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
     static files with SPA fallback on containerPort, and /health for the probes. With
     logFormat json, its access log is one JSON object per request (common.nginxJSONLog). */}}
{{- define "common.nginxServer" -}}
{{- $json := eq .v.logFormat "json" -}}
{{- if $json -}}
{{ include "common.nginxJSONLog" . }}

{{ end -}}
server {
    listen {{ .v.containerPort }};
    server_name _;
    root /usr/share/nginx/html;
    index index.html;
    {{- if $json }}
    access_log /dev/stdout ananta_json;
    {{- end }}

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

{{/* common.nginxJSONLog: expects a component context; the http-level directives (default.conf
     is included inside nginx.conf's http block) of a JSON access log named ananta_json: the
     time, the service, the correlation IDs (the X-Request-ID the ingress controller sends,
     else nginx's own $request_id; the W3C traceparent and its trace ID), the request, the
     status, the sizes and the duration. escape=json escapes every value. */}}
{{- define "common.nginxJSONLog" -}}
map $http_x_request_id $ananta_request_id {
    ""      $request_id;
    default $http_x_request_id;
}
map $http_traceparent $ananta_trace_id {
    "~^[0-9a-f]{2}-(?<trace>[0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$" $trace;
    default "";
}
log_format ananta_json escape=json
    '{"time":"$time_iso8601","service":"{{ .name }}",'
    '"request_id":"$ananta_request_id","trace_id":"$ananta_trace_id",'
    '"traceparent":"$http_traceparent","remote_addr":"$remote_addr",'
    '"x_forwarded_for":"$http_x_forwarded_for","method":"$request_method",'
    '"uri":"$request_uri","protocol":"$server_protocol","status":$status,'
    '"request_length":$request_length,"bytes_sent":$bytes_sent,'
    '"body_bytes_sent":$body_bytes_sent,"request_time":$request_time,'
    '"referer":"$http_referer","user_agent":"$http_user_agent"}';
{{- end -}}
