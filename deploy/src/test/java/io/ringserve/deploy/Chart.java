package io.ringserve.deploy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The chart rendered by Helm's own code (helm-java bundles the native Helm library): {@code helm
 * template} with {@code --set} values, each document read strictly into its API type.
 *
 * <p>Rendering costs tens of milliseconds. Not thread-safe; one per test.
 */
final class Chart {
  static final String RELEASE = "rs";
  static final String NAMESPACE = "serving";

  /**
   * The cluster version rendered for (Helm's offline default, 1.20, is older than the chart
   * allows).
   */
  static final String KUBE_VERSION = "v1.31.0";

  private final Map<String, Object> values = new LinkedHashMap<>();

  /** {@code --set key=value}. */
  Chart set(String key, Object value) {
    values.put(key, value);
    return this;
  }

  /** {@code helm template}'s output text; throws Helm's error for a render that fails. */
  String renderText() {
    TemplateCommand template =
        new Helm(DeployFiles.chart())
            .template()
            .withName(RELEASE)
            .withNamespace(NAMESPACE)
            .withKubeVersion(KUBE_VERSION);
    values.forEach(template::set);
    return template.call();
  }

  /** Every rendered document, validated against its Kubernetes API type. */
  Rendered render() {
    List<HasMetadata> resources = new ArrayList<>();
    for (JsonNode document : StrictManifests.documents(renderText())) {
      resources.add(StrictManifests.typed(document));
    }
    return new Rendered(resources);
  }

  /** The resources of one render. */
  record Rendered(List<HasMetadata> resources) {
    <T extends HasMetadata> List<T> all(Class<T> type) {
      return resources.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends HasMetadata> T one(Class<T> type) {
      List<T> found = all(type);
      if (found.size() != 1) {
        throw new AssertionError(
            "expected one " + type.getSimpleName() + ", rendered " + found.size() + ": " + kinds());
      }
      return found.get(0);
    }

    Deployment deployment() {
      return one(Deployment.class);
    }

    List<String> kinds() {
      return resources.stream()
          .map(r -> r.getKind() + "/" + r.getMetadata().getName())
          .sorted()
          .toList();
    }
  }
}
