{{/* The chart's name, cut to the 63 characters Kubernetes allows in a label. */}}
{{- define "ringserve.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's resources' name: the release name, with the chart's name unless it holds it. */}}
{{- define "ringserve.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "ringserve.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "ringserve.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "ringserve.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ringserve.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "ringserve.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "ringserve.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Seconds from the start of pod deletion to SIGKILL: the value given, or preStop + drain delay +
exit timeout + 10. A given value below that sum fails the render.
*/}}
{{- define "ringserve.terminationGracePeriodSeconds" -}}
{{- $needed := add .Values.preStopSleepSeconds .Values.server.drainDelaySeconds .Values.server.exitTimeoutSeconds -}}
{{- if kindIs "invalid" .Values.terminationGracePeriodSeconds -}}
{{- add $needed 10 -}}
{{- else if lt (int .Values.terminationGracePeriodSeconds) (int $needed) -}}
{{- fail (printf "terminationGracePeriodSeconds (%v) must be at least preStopSleepSeconds + server.drainDelaySeconds + server.exitTimeoutSeconds (%v): the kubelet would kill the server while it still drains" .Values.terminationGracePeriodSeconds $needed) -}}
{{- else -}}
{{- int .Values.terminationGracePeriodSeconds -}}
{{- end -}}
{{- end }}

{{/* Exactly one source of models; anything else fails the render. */}}
{{- define "ringserve.checkModelRepository" -}}
{{- $pvc := .Values.modelRepository.persistentVolumeClaim.claimName -}}
{{- $init := .Values.modelRepository.initContainer.enabled -}}
{{- if and $pvc $init -}}
{{- fail "set either modelRepository.persistentVolumeClaim.claimName or modelRepository.initContainer.enabled, not both" -}}
{{- end -}}
{{- if and $init (not .Values.modelRepository.initContainer.image) -}}
{{- fail "modelRepository.initContainer.enabled needs modelRepository.initContainer.image" -}}
{{- end -}}
{{- end }}
