package io.peerlink.node.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ports outside the ephemeral range, free when handed out, never twice, never one another socket holds. */
class LoopbackPortsTest {

  @Test
  void portsAreDistinctInTheRangeOutsideTheEphemeralRangeAndBindable() {
    int[] ephemeral = LoopbackPorts.ephemeralRange(LoopbackPorts.EPHEMERAL_RANGE_FILE);
    int[] range = LoopbackPorts.rangeOutside(ephemeral[0], ephemeral[1]);
    assertTrue(range != null, "this machine's ephemeral range " + ephemeral[0] + "-" + ephemeral[1] + " leaves room");
    assertEquals(range[0] + "-" + range[1], LoopbackPorts.sharedRange());
    Set<Integer> seen = new HashSet<>();
    for (int port : LoopbackPorts.pick(300)) {
      assertTrue(seen.add(port), port + " handed out twice");
      assertTrue(range[0] <= port && port <= range[1], port + " is in " + LoopbackPorts.sharedRange());
      assertTrue(port < ephemeral[0] || port > ephemeral[1], port + " is outside the ephemeral range");
      assertTrue(LoopbackPorts.bindable(port), port + " can be bound on loopback");
    }
  }

  @Test
  void aPortAnotherSocketHoldsIsNeverHandedOutAndAFullRangeIsAClearError() throws IOException {
    // A window of 24 ports in the real range; every other one held here while the window is drained.
    int[] range = LoopbackPorts.rangeOutside(32768, 60999);
    int low = range[0] + ThreadLocalRandom.current().nextInt(range[1] - range[0] - 24);
    int high = low + 23;
    List<ServerSocket> held = new ArrayList<>();
    Set<Integer> heldPorts = new HashSet<>();
    Set<Integer> freeAtStart = new HashSet<>();
    try {
      for (int port = low; port <= high; port++) {
        if ((port - low) % 2 == 0) {
          ServerSocket s = new ServerSocket();
          try {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            held.add(s);
            heldPorts.add(port);
          } catch (IOException takenElsewhere) {
            s.close();
          }
        } else if (LoopbackPorts.bindable(port)) {
          freeAtStart.add(port);
        }
      }
      assertTrue(heldPorts.size() >= 6, "held " + heldPorts + " of " + low + "-" + high);

      LoopbackPorts ports = new LoopbackPorts(low, high, "the test's window");
      Set<Integer> drawn = new HashSet<>();
      UncheckedIOException full = null;
      for (int i = 0; i <= high - low + 1 && full == null; i++) {
        try {
          int port = ports.next();
          assertFalse(heldPorts.contains(port), port + " is held by a socket of this test");
          assertTrue(drawn.add(port), port + " handed out twice");
          assertTrue(low <= port && port <= high, port + " in " + low + "-" + high);
        } catch (UncheckedIOException e) {
          full = e;
        }
      }
      assertTrue(full != null, "the window runs out: drew " + drawn);
      assertTrue(drawn.containsAll(freeAtStart), "every port free at the start is found: " + freeAtStart + ", drew " + drawn);
      assertTrue(full.getMessage().contains("no free port on 127.0.0.1 in " + low + "-" + high + " (the test's window)"),
          full.getMessage());
    } finally {
      for (ServerSocket s : held) {
        s.close();
      }
    }
  }

  @Test
  void theRangeIsBelowTheEphemeralOneWhenThereIsRoomElseAboveElseNone() {
    assertArrayEquals(new int[] {20000, 32767}, LoopbackPorts.rangeOutside(32768, 60999));
    assertArrayEquals(new int[] {20000, 49151}, LoopbackPorts.rangeOutside(49152, 65535), "the IANA range");
    assertArrayEquals(new int[] {1024, 20499}, LoopbackPorts.rangeOutside(20500, 60999), "a narrow gap widened down");
    assertArrayEquals(new int[] {1024, 9999}, LoopbackPorts.rangeOutside(10000, 60999));
    assertArrayEquals(new int[] {50001, 65535}, LoopbackPorts.rangeOutside(1024, 50000), "no room below: above");
    assertNull(LoopbackPorts.rangeOutside(1024, 65535), "no room either side: bind(0)");
    assertNull(LoopbackPorts.rangeOutside(1500, 64800));
  }

  @Test
  void theEphemeralRangeIsReadFromTheFileOrAssumed(@TempDir Path dir) throws IOException {
    assertArrayEquals(new int[] {40000, 50000}, LoopbackPorts.ephemeralRange(
        Files.writeString(dir.resolve("range"), "40000\t50000\n")));
    assertArrayEquals(new int[] {32768, 60999}, LoopbackPorts.ephemeralRange(dir.resolve("missing")));
    assertArrayEquals(new int[] {32768, 60999}, LoopbackPorts.ephemeralRange(
        Files.writeString(dir.resolve("garbage"), "40000 x\n")));
    assertArrayEquals(new int[] {32768, 60999}, LoopbackPorts.ephemeralRange(
        Files.writeString(dir.resolve("inverted"), "50000 40000\n")));
  }

  @Test
  void withNoRangeItFallsBackToBindZeroStillNeverTwice() {
    LoopbackPorts ports = new LoopbackPorts(0, 0, "no room");
    assertEquals("none", ports.range());
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      assertTrue(seen.add(ports.next()), "distinct");
    }
  }
}
