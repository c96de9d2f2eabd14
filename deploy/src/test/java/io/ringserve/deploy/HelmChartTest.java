package io.ringserve.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The chart lints, renders valid manifests for its defaults and each option, and keeps its
 * promises.
 */
class HelmChartTest {

  @Test
  void chartPassesStrictLint() {
    LintResult lint = new Helm(DeployFiles.chart()).lint().strict().call();
    assertFalse(lint.isFailed(), () -> "helm lint --strict: " + lint.getMessages());
  }

  @Test
  void defaultsRenderADeploymentServicesAndServiceAccountOnly() {
    Chart.Rendered rendered = new Chart().render();
    assertEquals(
        List.of(
            "Deployment/rs-ringserve",
            "Service/rs-ringserve",
            "Service/rs-ringserve-headless",
            "ServiceAccount/rs-ringserve"),
        rendered.kinds());
  }

  @Test
  void containerHasTritonsNamedPortsAndHealthProbesOnThem() {
    Container server = container(new Chart().render().deployment());
    Map<String, Integer> ports =
        server.getPorts().stream()
            .collect(Collectors.toMap(ContainerPort::getName, ContainerPort::getContainerPort));
    assertEquals(Map.of("http", 8000, "grpc", 8001, "metrics", 8002), ports);
    assertHttpProbe(server.getStartupProbe(), "/v2/health/ready");
    assertHttpProbe(server.getReadinessProbe(), "/v2/health/ready");
    assertHttpProbe(server.getLivenessProbe(), "/v2/health/live");
    assertTrue(
        startupBudgetSeconds(server.getStartupProbe()) >= 300,
        "the startup probe must leave minutes for model loading and warmup");
    assertTrue(server.getArgs().contains("--http-port=8000"), server.getArgs()::toString);
    assertTrue(server.getArgs().contains("--grpc-port=8001"), server.getArgs()::toString);
    assertTrue(server.getArgs().contains("--metrics-port=8002"), server.getArgs()::toString);
  }

  @Test
  void gracePeriodCoversPreStopDrainDelayAndExitTimeout() {
    Deployment deployment =
        new Chart()
            .set("preStopSleepSeconds", 7)
            .set("server.drainDelaySeconds", 11)
            .set("server.exitTimeoutSeconds", 13)
            .render()
            .deployment();
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    Container server = container(deployment);
    assertEquals(List.of("sleep", "7"), server.getLifecycle().getPreStop().getExec().getCommand());
    assertTrue(server.getArgs().contains("--shutdown-drain-delay=11"), server.getArgs()::toString);
    assertTrue(server.getArgs().contains("--exit-timeout-secs=13"), server.getArgs()::toString);
    assertEquals(7 + 11 + 13 + 10, pod.getTerminationGracePeriodSeconds());
  }

  @Test
  void aGracePeriodShorterThanTheShutdownFailsTheRender() {
    Chart chart = new Chart().set("terminationGracePeriodSeconds", 20);
    IllegalStateException e = assertThrows(IllegalStateException.class, chart::renderText);
    assertTrue(e.getMessage().contains("terminationGracePeriodSeconds (20)"), e::getMessage);
  }

  @Test
  void rollingUpdatesStartANewPodBeforeStoppingAnOldOne() {
    Deployment deployment = new Chart().render().deployment();
    assertEquals("RollingUpdate", deployment.getSpec().getStrategy().getType());
    assertEquals(
        0, deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal());
  }

  @Test
  void podRunsAsUser1000OnAReadOnlyRootWithWritableTmp() {
    Deployment deployment = new Chart().render().deployment();
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    Container server = container(deployment);
    assertTrue(pod.getSecurityContext().getRunAsNonRoot());
    assertEquals(1000L, pod.getSecurityContext().getRunAsUser());
    assertTrue(server.getSecurityContext().getReadOnlyRootFilesystem());
    assertFalse(server.getSecurityContext().getAllowPrivilegeEscalation());
    assertEquals(List.of("ALL"), server.getSecurityContext().getCapabilities().getDrop());
    assertTrue(
        server.getVolumeMounts().stream()
            .anyMatch(m -> m.getMountPath().equals("/tmp") && m.getName().equals("tmp")));
    assertNotNull(volume(pod, "tmp").getEmptyDir());
    assertNotNull(server.getResources().getRequests().get("memory"));
  }

  @Test
  void modelRepositoryComesFromAClaimReadOnly() {
    Deployment deployment =
        new Chart()
            .set("modelRepository.persistentVolumeClaim.claimName", "models")
            .render()
            .deployment();
    Container server = container(deployment);
    assertTrue(server.getArgs().contains("--model-repository=/models"), server.getArgs()::toString);
    assertEquals(
        "models",
        volume(deployment.getSpec().getTemplate().getSpec(), "models")
            .getPersistentVolumeClaim()
            .getClaimName());
    assertTrue(
        server.getVolumeMounts().stream()
            .anyMatch(m -> m.getMountPath().equals("/models") && m.getReadOnly()));
  }

  @Test
  void modelRepositoryComesFromAnInitContainerIntoAnEmptyDir() {
    Deployment deployment =
        new Chart()
            .set("modelRepository.initContainer.enabled", true)
            .set("modelRepository.initContainer.image", "busybox:1.36")
            .set("modelRepository.initContainer.command[0]", "sh")
            .render()
            .deployment();
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    Container init = pod.getInitContainers().get(0);
    assertEquals("busybox:1.36", init.getImage());
    assertTrue(init.getVolumeMounts().stream().anyMatch(m -> m.getMountPath().equals("/models")));
    assertNotNull(volume(pod, "models").getEmptyDir());
    assertTrue(container(deployment).getArgs().contains("--model-repository=/models"));
  }

  @Test
  void bothModelSourcesAtOnceFailTheRender() {
    Chart chart =
        new Chart()
            .set("modelRepository.persistentVolumeClaim.claimName", "models")
            .set("modelRepository.initContainer.enabled", true)
            .set("modelRepository.initContainer.image", "busybox:1.36");
    IllegalStateException e = assertThrows(IllegalStateException.class, chart::renderText);
    assertTrue(e.getMessage().contains("not both"), e::getMessage);
  }

  @Test
  void podDisruptionBudgetWhenEnabled() {
    PodDisruptionBudget pdb =
        new Chart()
            .set("podDisruptionBudget.enabled", true)
            .render()
            .one(PodDisruptionBudget.class);
    assertEquals(1, pdb.getSpec().getMinAvailable().getIntVal());
    assertEquals(selector(), pdb.getSpec().getSelector().getMatchLabels());
  }

  @Test
  void serviceMonitorScrapesTheMetricsPortWhenEnabled() {
    Chart.Rendered rendered = new Chart().set("metrics.serviceMonitor.enabled", true).render();
    ServiceMonitor monitor = rendered.one(ServiceMonitor.class);
    assertEquals("metrics", monitor.getSpec().getEndpoints().get(0).getPort());
    assertEquals("/metrics", monitor.getSpec().getEndpoints().get(0).getPath());
    assertEquals(selector(), monitor.getSpec().getSelector().getMatchLabels());
    // Only the main Service has a metrics port, so each pod is scraped once.
    long servicesWithMetrics =
        rendered.all(Service.class).stream()
            .filter(
                s -> s.getSpec().getPorts().stream().anyMatch(p -> p.getName().equals("metrics")))
            .count();
    assertEquals(1, servicesWithMetrics);
  }

  @Test
  void autoscalerTargetsTheAverageQueueTimeAndOwnsTheReplicaCount() {
    Chart.Rendered rendered = new Chart().set("autoscaling.enabled", true).render();
    HorizontalPodAutoscaler hpa = rendered.one(HorizontalPodAutoscaler.class);
    assertEquals("rs-ringserve", hpa.getSpec().getScaleTargetRef().getName());
    assertEquals("Deployment", hpa.getSpec().getScaleTargetRef().getKind());
    var metric = hpa.getSpec().getMetrics().get(0);
    assertEquals("Pods", metric.getType());
    assertEquals("avg_time_queue_us", metric.getPods().getMetric().getName());
    assertEquals("AverageValue", metric.getPods().getTarget().getType());
    assertEquals(null, rendered.deployment().getSpec().getReplicas(), "the HPA sets replicas");
  }

  @Test
  void everyOptionalFeatureAtOnceRendersValidManifests() {
    Chart.Rendered rendered =
        new Chart()
            .set("podDisruptionBudget.enabled", true)
            .set("metrics.serviceMonitor.enabled", true)
            .set("autoscaling.enabled", true)
            .set("modelRepository.persistentVolumeClaim.claimName", "models")
            .set("modelRepository.persistentVolumeClaim.subPath", "repo")
            .set("server.extraArgs[0]", "--intra-op-threads=2")
            .render();
    assertEquals(7, rendered.resources().size(), rendered.kinds()::toString);
    assertTrue(container(rendered.deployment()).getArgs().contains("--intra-op-threads=2"));
  }

  @Test
  void theValidatorRefusesAFieldTheSchemaDoesNotDefine() {
    String misspelt =
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n"
            + "spec: {replicas: 1, selector: {matchLabels: {a: b}}, template: {spec: {containers:"
            + " [{name: c, image: i, readinessProbes: {}}]}}}\n";
    AssertionError e =
        assertThrows(
            AssertionError.class,
            () -> StrictManifests.typed(StrictManifests.documents(misspelt).get(0)));
    assertTrue(e.getMessage().contains("readinessProbes"), e::getMessage);
  }

  static Container container(Deployment deployment) {
    List<Container> containers = deployment.getSpec().getTemplate().getSpec().getContainers();
    assertEquals(1, containers.size());
    return containers.get(0);
  }

  /** The pod's volume of that name; fails if there is none. */
  static Volume volume(PodSpec pod, String name) {
    return pod.getVolumes().stream()
        .filter(v -> v.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no volume " + name + " in " + pod.getVolumes()));
  }

  static long startupBudgetSeconds(Probe probe) {
    return probe.getInitialDelaySeconds()
        + (long) probe.getPeriodSeconds() * probe.getFailureThreshold();
  }

  private static void assertHttpProbe(Probe probe, String path) {
    assertNotNull(probe);
    assertEquals(path, probe.getHttpGet().getPath());
    assertEquals("http", probe.getHttpGet().getPort().getStrVal());
  }

  private static Map<String, String> selector() {
    return Map.of(
        "app.kubernetes.io/name", "ringserve", "app.kubernetes.io/instance", Chart.RELEASE);
  }
}
