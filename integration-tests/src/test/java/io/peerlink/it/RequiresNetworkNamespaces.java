package io.peerlink.it;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs a test only where network namespaces can be created, and skips it with the reason
 * elsewhere. Under CI ({@code CI=true}), where the machine runs as root, a missing capability is
 * a failure instead: the distributed deployment must not be skipped silently there.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresNetworkNamespaces.Condition.class)
@interface RequiresNetworkNamespaces {

  /** The JUnit condition behind the annotation. */
  final class Condition implements ExecutionCondition {
    private static volatile String reason;
    private static volatile boolean probed;

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      if (!probed) {
        reason = NetnsHosts.unavailableReason();
        probed = true;
      }
      if (reason == null) {
        return ConditionEvaluationResult.enabled("network namespaces available");
      }
      if ("true".equals(System.getenv("CI"))) {
        return ConditionEvaluationResult.enabled("CI must run it; it will fail: " + reason);
      }
      return ConditionEvaluationResult.disabled("skipped: " + reason);
    }
  }
}
