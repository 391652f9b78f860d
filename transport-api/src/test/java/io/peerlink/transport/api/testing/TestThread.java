package io.peerlink.transport.api.testing;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/**
 * A daemon thread a test started to do one blocking thing (wait in a receive, lead or follow a
 * blocking call), and how that thing ended, for the test to wait on with a deadline.
 *
 * @param thread the thread, e.g. for {@link BlockedThreads#isBlockedIn} or an interrupt
 * @param outcome completes with what the body returned, or with what it threw
 */
public record TestThread<T>(Thread thread, CompletableFuture<T> outcome) {

  /** Starts {@code body} on a new daemon thread named {@code name}. */
  public static <T> TestThread<T> start(String name, Callable<T> body) {
    CompletableFuture<T> outcome = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        outcome.complete(body.call());
      } catch (Throwable e) {
        outcome.completeExceptionally(e);
      }
    }, name);
    t.setDaemon(true);
    t.start();
    return new TestThread<>(t, outcome);
  }
}
