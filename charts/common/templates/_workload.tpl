{{/* The workloads: one Deployment (or StatefulSet, `kind`) per component, with its pod. */}}

{{/* common.deployment: expects the chart context; the whole templates/deployment.yaml. */}}
{{- define "common.deployment" -}}
{{- include "common.each" (dict "root" . "template" "common.workload") -}}
{{- end -}}

{{/* common.workload: expects a component context; its Deployment or StatefulSet. */}}
{{- define "common.workload" -}}
{{- include "common.validate" . -}}
{{- $sts := eq .v.kind "StatefulSet" }}
---
apiVersion: apps/v1
kind: {{ .v.kind }}
metadata:
  name: {{ .name }}
  labels:
    {{- include "common.labels" . | nindent 4 }}
spec:
  {{- if or $sts (not .v.autoscaling.enabled) }}
  replicas: {{ .v.replicaCount }}
  {{- end }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "common.selectorLabels" . | nindent 6 }}
  {{- if $sts }}
  serviceName: {{ include "common.suffixed" (list .name "headless") }}
  podManagementPolicy: OrderedReady
  updateStrategy:
    type: RollingUpdate
  {{- else }}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 0
  {{- end }}
  template:
    {{- include "common.podTemplate" . | nindent 4 }}
  {{- if and $sts .v.persistence.enabled }}
  volumeClaimTemplates:
    - metadata:
        name: data
        labels:
          {{- include "common.selectorLabels" . | nindent 10 }}
      spec:
        accessModes:
          {{- toYaml .v.persistence.accessModes | nindent 10 }}
        {{- with .v.persistence.storageClassName }}
        storageClassName: {{ . }}
        {{- end }}
        resources:
          requests:
            storage: {{ .v.persistence.size }}
  {{- end }}
{{ end -}}

{{/* common.podTemplate: expects a component context; the pod template of its workload. */}}
{{- define "common.podTemplate" -}}
{{- $v := .v -}}
{{- $dirs := (include "common.writableDirs" . | fromYaml).dirs -}}
{{- $seeds := (include "common.seededDirs" . | fromYaml).dirs -}}
{{- $image := printf "%s:%s" $v.image.repository (include "common.imageTag" $v.image.tag) -}}
{{- $persist := and (eq $v.kind "StatefulSet") $v.persistence.enabled -}}
metadata:
  labels:
    {{- include "common.labels" . | nindent 4 }}
    {{- include "common.workloadLabel" . | nindent 4 }}
  annotations:
    {{- /* settings and files: a change rolls the pods (envFrom and subPath mounts never see
         ConfigMap updates). Without files the sum is that of the settings alone. */}}
    checksum/config: {{ printf "%s%s" (include "common.configData" .) (include "common.filesData" .) | sha256sum }}
    {{- with $v.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  serviceAccountName: {{ include "common.serviceAccountName" .root }}
  automountServiceAccountToken: {{ .root.Values.serviceAccount.automountToken }}
  securityContext:
    runAsNonRoot: true
    runAsUser: {{ $v.podSecurityContext.runAsUser }}
    runAsGroup: {{ $v.podSecurityContext.runAsGroup }}
    fsGroup: {{ $v.podSecurityContext.fsGroup }}
    seccompProfile:
      type: RuntimeDefault
  {{- with $v.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  affinity:
    podAntiAffinity:
      {{- if eq $v.podAntiAffinity "required" }}
      requiredDuringSchedulingIgnoredDuringExecution:
        - topologyKey: kubernetes.io/hostname
          labelSelector:
            matchLabels:
              {{- include "common.selectorLabels" . | nindent 14 }}
      {{- else }}
      preferredDuringSchedulingIgnoredDuringExecution:
        - weight: 100
          podAffinityTerm:
            topologyKey: kubernetes.io/hostname
            labelSelector:
              matchLabels:
                {{- include "common.selectorLabels" . | nindent 16 }}
      {{- end }}
  {{- with $v.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $v.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $seeds }}
  initContainers:
    {{- range . }}
    - name: {{ include "common.seedName" . }}
      image: {{ $image | quote }}
      imagePullPolicy: {{ $v.image.pullPolicy }}
      command:
        - sh
        - -c
        - {{ printf "cp -R %s/. /seed/" . | quote }}
      resources:
        {{- include "common.seedResources" . | nindent 8 }}
      securityContext:
        {{- include "common.containerSecurityContext" . | nindent 8 }}
      volumeMounts:
        - name: {{ include "common.seedName" . }}
          mountPath: /seed
    {{- end }}
  {{- end }}
  containers:
    - name: {{ .key | default (include "common.name" .root) }}
      image: {{ $image | quote }}
      imagePullPolicy: {{ $v.image.pullPolicy }}
      {{- with $v.command }}
      command:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.args }}
      args:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      ports:
        - name: {{ $v.service.portName }}
          containerPort: {{ $v.containerPort }}
          protocol: TCP
      envFrom:
        - configMapRef:
            name: {{ .name }}
      {{- with $v.secrets.env }}
      env:
        {{- range $var, $key := . }}
        - name: {{ $var }}
          valueFrom:
            secretKeyRef:
              name: {{ include "common.secretName" $ }}
              key: {{ $key }}
              {{- if has $key $v.secrets.optional }}
              optional: true
              {{- end }}
        {{- end }}
      {{- end }}
      startupProbe:
        {{- include "common.probe" (list . $v.probes.startupPath) | nindent 8 }}
        periodSeconds: 5
        failureThreshold: {{ $v.probes.startupFailureThreshold }}
      livenessProbe:
        {{- include "common.probe" (list . $v.probes.livenessPath) | nindent 8 }}
        periodSeconds: {{ $v.probes.periodSeconds }}
        failureThreshold: {{ $v.probes.failureThreshold }}
      readinessProbe:
        {{- include "common.probe" (list . $v.probes.readinessPath) | nindent 8 }}
        periodSeconds: {{ $v.probes.periodSeconds }}
        failureThreshold: {{ $v.probes.failureThreshold }}
      resources:
        {{- toYaml $v.resources | nindent 8 }}
      securityContext:
        {{- include "common.containerSecurityContext" . | nindent 8 }}
      volumeMounts:
        {{- range $dirs }}
        - name: {{ include "common.volumeName" . }}
          mountPath: {{ . }}
        {{- end }}
        {{- range $seeds }}
        - name: {{ include "common.seedName" . }}
          mountPath: {{ . }}
        {{- end }}
        {{- if $v.nginx.enabled }}
        - name: nginx-conf
          mountPath: /etc/nginx/conf.d
          readOnly: true
        {{- end }}
        {{- if $persist }}
        - name: data
          mountPath: {{ $v.persistence.mountPath }}
        {{- end }}
        {{- range $path, $_ := $v.files }}
        - name: files
          mountPath: {{ $path }}
          subPath: {{ include "common.fileKey" $path }}
          readOnly: true
        {{- end }}
  volumes:
    {{- range $dirs }}
    - name: {{ include "common.volumeName" . }}
      emptyDir: {}
    {{- end }}
    {{- range $seeds }}
    - name: {{ include "common.seedName" . }}
      emptyDir: {}
    {{- end }}
    {{- if $v.nginx.enabled }}
    - name: nginx-conf
      configMap:
        name: {{ include "common.suffixed" (list .name "nginx") }}
    {{- end }}
    {{- if $v.files }}
    - name: files
      configMap:
        name: {{ include "common.suffixed" (list .name "files") }}
    {{- end }}
{{- end -}}

{{/* common.containerSecurityContext: expects anything (fixed, not settable); the security
     context of every container, init containers included. */}}
{{- define "common.containerSecurityContext" -}}
allowPrivilegeEscalation: false
privileged: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop:
    - ALL
{{- end -}}

{{/* common.seedResources: expects anything (fixed, not settable); requests and limits of a
     seededDirs init container (one `cp`; the pod's request is still its containers' sum). */}}
{{- define "common.seedResources" -}}
requests:
  cpu: 10m
  memory: 16Mi
limits:
  cpu: 100m
  memory: 64Mi
{{- end -}}

{{/* common.probe: expects (list <component context> <http path>); the handler and timeout of a
     probe: httpGet on the named port, tcpSocket, or exec, by probes.type. */}}
{{- define "common.probe" -}}
{{- $ctx := index . 0 -}}
{{- $probes := $ctx.v.probes -}}
{{- if eq $probes.type "exec" -}}
exec:
  command:
    {{- toYaml $probes.command | nindent 4 }}
{{- else if eq $probes.type "tcp" -}}
tcpSocket:
  port: {{ $ctx.v.service.portName }}
{{- else -}}
httpGet:
  path: {{ index . 1 }}
  port: {{ $ctx.v.service.portName }}
{{- end }}
timeoutSeconds: {{ $probes.timeoutSeconds }}
{{- end -}}
