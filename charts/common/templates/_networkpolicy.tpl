{{/* NetworkPolicies (networking.k8s.io/v1), one per component: ingress and egress denied except
     what the component's settings use. */}}

{{/* common.networkpolicy: expects the chart context; the whole templates/networkpolicy.yaml. */}}
{{- define "common.networkpolicy" -}}
{{- include "common.each" (dict "root" . "template" "common.networkPolicyOf") -}}
{{- end -}}

{{/* common.namespacePeer: expects a namespace name; a NetworkPolicy peer selecting it. */}}
{{- define "common.namespacePeer" -}}
namespaceSelector:
  matchLabels:
    kubernetes.io/metadata.name: {{ . }}
{{- end -}}

{{/* common.tcpPort: expects a port number; a NetworkPolicy ports list of that TCP port. */}}
{{- define "common.tcpPort" -}}
- protocol: TCP
  port: {{ int . }}
{{- end -}}

{{/* common.releasePods: expects a component context; the matchLabels (YAML) of every pod of
     its release. */}}
{{- define "common.releasePods" -}}
app.kubernetes.io/name: {{ include "common.name" .root }}
app.kubernetes.io/instance: {{ include "common.labelValue" .root.Release.Name }}
{{- end -}}

{{/* common.networkPolicyOf: expects a component context; its NetworkPolicy when
     networkPolicy.enabled: everything not allowed by common.ingressRules and
     common.egressRules is denied. */}}
{{- define "common.networkPolicyOf" -}}
{{- include "common.validate" . -}}
{{- if .v.networkPolicy.enabled }}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ .name }}
  labels:
    {{- include "common.labels" . | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "common.selectorLabels" . | nindent 6 }}
  policyTypes:
    - Ingress
    - Egress
  {{- with include "common.ingressRules" . }}
  ingress:
    {{- . | trim | nindent 4 }}
  {{- else }}
  ingress: []
  {{- end }}
  egress:
    {{- include "common.egressRules" . | nindent 4 }}
{{ end -}}
{{- end -}}

{{/* common.ingressRules: expects a component context; its allowed ingress: the ingress
     controller's namespace (ingress.enabled) and the monitoring namespace
     (serviceMonitor.enabled) to the container port, the release's own pods in a chart with
     components (any port), and the pods of networkPolicy.clients to the container port. */}}
{{- define "common.ingressRules" -}}
{{- $np := .v.networkPolicy -}}
{{- if .v.ingress.enabled }}
- from:
    - {{ include "common.namespacePeer" $np.ingressNamespace | nindent 6 | trim }}
  ports:
    {{- include "common.tcpPort" .v.containerPort | nindent 4 }}
{{- end }}
{{- if .v.serviceMonitor.enabled }}
- from:
    - {{ include "common.namespacePeer" $np.monitoringNamespace | nindent 6 | trim }}
  ports:
    {{- include "common.tcpPort" .v.containerPort | nindent 4 }}
{{- end }}
{{- if .root.Values.components }}
- from:
    - podSelector:
        matchLabels:
          {{- include "common.releasePods" . | nindent 10 }}
{{- end }}
{{- range $np.clients | uniq | sortAlpha }}
- from:
    - podSelector:
        matchLabels:
          app.kubernetes.io/instance: {{ . }}
  ports:
    {{- include "common.tcpPort" $.v.containerPort | nindent 4 }}
{{- end }}
{{- end -}}

{{/* common.egressRules: expects a component context; its allowed egress: DNS (UDP and TCP), the
     release's own pods in a chart with components, the pods of networkPolicy.peers on their
     port, the namespaces of networkPolicy.externals on their port, the CIDRs of
     networkPolicy.externalEgress on their ports, and the OTLP collector's namespace and port
     (tracing.enabled). */}}
{{- define "common.egressRules" -}}
{{- $np := .v.networkPolicy -}}
- to:
    - {{ include "common.namespacePeer" $np.dns.namespace | nindent 6 | trim }}
      podSelector:
        matchLabels:
          {{- toYaml $np.dns.podLabels | nindent 10 }}
  ports:
    - protocol: UDP
      port: {{ int $np.dns.port }}
    - protocol: TCP
      port: {{ int $np.dns.port }}
{{- if .root.Values.components }}
- to:
    - podSelector:
        matchLabels:
          {{- include "common.releasePods" . | nindent 10 }}
{{- end }}
{{- range $np.peers }}
- to:
    - podSelector:
        matchLabels:
          app.kubernetes.io/instance: {{ .release }}
          app.kubernetes.io/component: {{ .component }}
  ports:
    {{- include "common.tcpPort" .port | nindent 4 }}
{{- end }}
{{- range $np.externals | uniq | sortAlpha }}
{{- $service := get $np.externalServices . }}
- to:
    - {{ include "common.namespacePeer" $service.namespace | nindent 6 | trim }}
  ports:
    {{- include "common.tcpPort" $service.port | nindent 4 }}
{{- end }}
{{- range $np.externalEgress }}
- to:
    - ipBlock:
        cidr: {{ .cidr }}
        {{- with .except }}
        except:
          {{- toYaml . | nindent 10 }}
        {{- end }}
  ports:
    {{- range .ports }}
    {{- include "common.tcpPort" . | nindent 4 }}
    {{- end }}
{{- end }}
{{- if .v.tracing.enabled }}
{{- $collector := include "common.otlpPeer" . | fromYaml }}
- to:
    - {{ include "common.namespacePeer" $collector.namespace | nindent 6 | trim }}
  ports:
    {{- include "common.tcpPort" $collector.port | nindent 4 }}
{{- end }}
{{- end -}}
