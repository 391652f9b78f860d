package io.peerlink.node.cli;

import io.peerlink.discovery.core.client.MasterErrorException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/** Turns an exception into the words an operator reads. */
final class Failures {

  private Failures() {
  }

  static String describe(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof MasterErrorException) {
      return "the master answered with an error: " + ((MasterErrorException) t).serverMessage();
    }
    if (t instanceof TimeoutException) {
      return "no answer in time";
    }
    String msg = t.getMessage();
    return msg == null || msg.isBlank() ? t.getClass().getSimpleName() : msg;
  }
}
