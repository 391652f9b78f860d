package io.peerlink.node.master;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The child JVM of {@link ChainRollbackTest}'s kill test: rolls the store under its first
 * argument back to block {@code args[1]}, and after step {@code args[2]} prints {@code at STEP}
 * and waits, holding the store's lock, until the test kills it.
 */
public final class RollbackProcess {
  private RollbackProcess() {}

  public static void main(String[] args) throws Exception {
    RollbackIntent.Step stop = RollbackIntent.Step.valueOf(args[2]);
    ChainRollback.rollback(Path.of(args[0]), Long.parseLong(args[1]), false, at -> {
      if (at == stop) {
        System.out.println("at " + at);
        System.out.flush();
        try {
          new CountDownLatch(1).await(); // until SIGKILL
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    });
    System.out.println("finished");
  }
}
