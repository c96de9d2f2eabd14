package io.ringserve.deploy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.databind.cfg.MapperConfig;
import tools.jackson.databind.introspect.Annotated;
import tools.jackson.databind.introspect.JacksonAnnotationIntrospector;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads Kubernetes manifests into fabric8's API types, which are generated from Kubernetes' OpenAPI
 * schemas, and refuses what those schemas do not define.
 *
 * <p>fabric8's types keep unknown fields in an "additional properties" map instead of failing, so a
 * misspelt or misplaced field would pass silently. This mapper turns that map off: every field must
 * be one the schema names, with a value of the schema's type, or reading fails naming the field's
 * path.
 *
 * <p>Thread-safe (the mapper is immutable once built).
 */
final class StrictManifests {
  /** The kinds the chart may render, by {@code apiVersion/kind}. */
  static final Map<String, Class<? extends HasMetadata>> KINDS =
      Map.of(
          "apps/v1/Deployment", Deployment.class,
          "v1/Service", Service.class,
          "v1/ServiceAccount", ServiceAccount.class,
          "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class,
          "autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class,
          "monitoring.coreos.com/v1/ServiceMonitor", ServiceMonitor.class);

  static final YAMLMapper MAPPER =
      YAMLMapper.builder()
          .annotationIntrospector(new NoAdditionalProperties())
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
          .build();

  private StrictManifests() {}

  /** The non-empty documents of a multi-document YAML text, as trees. */
  static List<JsonNode> documents(String yaml) {
    List<JsonNode> documents = new ArrayList<>();
    try (MappingIterator<JsonNode> it = MAPPER.readerFor(JsonNode.class).readValues(yaml)) {
      while (it.hasNextValue()) {
        JsonNode document = it.nextValue();
        if (document != null && !document.isNull() && !document.isMissingNode()) {
          documents.add(document);
        }
      }
    }
    return documents;
  }

  /**
   * One document as the API type its {@code apiVersion} and {@code kind} name.
   *
   * @throws AssertionError naming the kind and the offending field, for a kind not in {@link
   *     #KINDS} or a document its schema does not allow
   */
  static HasMetadata typed(JsonNode document) {
    String key = document.path("apiVersion").asString() + "/" + document.path("kind").asString();
    Class<? extends HasMetadata> type = KINDS.get(key);
    if (type == null) {
      throw new AssertionError("unexpected kind " + key + " in\n" + document);
    }
    return as(document, type);
  }

  /** A tree read strictly into {@code type}; what the type's schema does not define fails. */
  static <T> T as(JsonNode node, Class<T> type) {
    try {
      return MAPPER.treeToValue(node, type);
    } catch (JacksonException e) {
      throw new AssertionError(
          "not a valid "
              + type.getSimpleName()
              + ": "
              + e.getOriginalMessage()
              + " at "
              + e.getPathReference(),
          e);
    }
  }

  /** Jackson's annotations, less {@code @JsonAnySetter}: unknown fields fail instead. */
  private static final class NoAdditionalProperties extends JacksonAnnotationIntrospector {
    private static final long serialVersionUID = 1L;

    @Override
    public Boolean hasAnySetter(MapperConfig<?> config, Annotated a) {
      return Boolean.FALSE;
    }
  }
}
