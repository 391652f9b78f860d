package io.peerlink.transport.api.testing;

/**
 * Whether a thread is blocked inside a given method: parked, waiting on a monitor, or in a native
 * call (a blocking socket read or write is one). Tests wait for this before they act, so that
 * what they act on (a close, an interrupt) meets a thread that really blocks rather than one that
 * has not got there yet.
 */
public final class BlockedThreads {

  private BlockedThreads() {
  }

  /**
   * @param thread the thread to look at
   * @param method the simple name of a method that must be on its stack (e.g. "receive")
   */
  public static boolean isBlockedIn(Thread thread, String method) {
    StackTraceElement[] stack = thread.getStackTrace();
    if (stack.length == 0) {
      return false;
    }
    boolean inMethod = false;
    for (StackTraceElement frame : stack) {
      if (frame.getMethodName().equals(method)) {
        inMethod = true;
        break;
      }
    }
    if (!inMethod) {
      return false;
    }
    Thread.State state = thread.getState();
    return state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING || state == Thread.State.BLOCKED
        || state == Thread.State.RUNNABLE && stack[0].isNativeMethod();
  }
}
