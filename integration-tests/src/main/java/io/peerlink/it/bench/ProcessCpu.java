package io.peerlink.it.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * CPU time over an iteration and the answers in it, as JMH counters, for the send benchmarks:
 * {@code cpuMicros} the process's (all threads: the sender's event loop, the reader, GC, JIT; the
 * reader's share is the same whatever the sender does), {@code senderMicros} the tcp transport's
 * event-loop threads' alone (user and kernel time: a {@code sendfile} is counted there).
 * {@code cpuMicros / answers} is the CPU an answer costs, which other processes on the machine
 * disturb less than the time does.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class ProcessCpu {
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  public long cpuMicros;
  public long senderMicros;
  public long answers;
  private long last;
  private long lastSender;
  private long[] senders;

  @Setup(Level.Iteration)
  public void begin() {
    cpuMicros = 0;
    senderMicros = 0;
    answers = 0;
    // The tcp transport's event loops (DefaultThreadFactory("peerlink-tcp")): started by now.
    senders = Arrays.stream(THREADS.getThreadInfo(THREADS.getAllThreadIds()))
        .filter(t -> t != null && t.getThreadName().startsWith("peerlink-tcp"))
        .mapToLong(ThreadInfo::getThreadId).toArray();
    last = OS.getProcessCpuTime();
    lastSender = senderNanos();
  }

  private long senderNanos() {
    long sum = 0;
    for (long id : senders) {
      sum += Math.max(0, THREADS.getThreadCpuTime(id)); // -1 once a thread has ended
    }
    return sum;
  }

  /** One answer was read whole. */
  void answered() {
    long now = OS.getProcessCpuTime();
    cpuMicros += (now - last) / 1000;
    last = now;
    long sender = senderNanos();
    senderMicros += (sender - lastSender) / 1000;
    lastSender = sender;
    answers++;
  }
}
