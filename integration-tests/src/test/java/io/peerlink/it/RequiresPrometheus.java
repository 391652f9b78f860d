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
 * Runs a test only where Prometheus's {@code prometheus} and {@code promtool} are installed (Debian's
 * {@code prometheus} package, which {@code .ci/run} installs), and skips it with the reason
 * elsewhere. Under CI ({@code CI=true}) a missing program is a failure instead: the test must not be
 * skipped silently there.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresPrometheus.Condition.class)
@interface RequiresPrometheus {

  /** The JUnit condition behind the annotation. */
  final class Condition implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      String reason = PrometheusServer.unavailableReason();
      if (reason == null) {
        return ConditionEvaluationResult.enabled("prometheus and promtool are installed");
      }
      if ("true".equals(System.getenv("CI"))) {
        return ConditionEvaluationResult.enabled("CI must run it; it will fail: " + reason);
      }
      return ConditionEvaluationResult.disabled("skipped: " + reason);
    }
  }
}
