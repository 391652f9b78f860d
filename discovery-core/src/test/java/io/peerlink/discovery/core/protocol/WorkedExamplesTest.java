package io.peerlink.discovery.core.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.peerlink.transport.api.FrameFormat;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The worked examples of PROTOCOL.md, byte for byte, framing included. */
class WorkedExamplesTest {

  private static byte[] hex(String s) {
    return HexFormat.of().parseHex(s.replace(" ", ""));
  }

  private static byte[] framed(byte[] payload) {
    return FrameFormat.UINT32_BIG_ENDIAN.encode(payload);
  }

  @Test
  void getCurrentEpochRequest() throws Exception {
    byte[] wire = hex("00 00 00 02  32 00");
    assertArrayEquals(wire, framed(new Request.GetCurrentEpoch().encode()));
    assertEquals(new Request.GetCurrentEpoch(), Request.decode(hex("32 00")));
  }

  @Test
  void currentEpochFive() throws Exception {
    byte[] wire = hex("00 00 00 04  32 02 08 05");
    assertArrayEquals(wire, framed(new Response.CurrentEpoch(5).encode()));
    assertEquals(new Response.CurrentEpoch(5), Response.decode(hex("32 02 08 05")));
  }

  @Test
  void currentEpochZeroKeepsTheEmptyMessage() throws Exception {
    byte[] wire = hex("00 00 00 02  32 00");
    assertArrayEquals(wire, framed(new Response.CurrentEpoch(0).encode()));
    assertEquals(new Response.CurrentEpoch(0), Response.decode(hex("32 00")));
  }

  @Test
  void errorNo() throws Exception {
    byte[] wire = hex("00 00 00 04  22 02 6e 6f");
    assertArrayEquals(wire, framed(new Response.Error("no").encode()));
    assertEquals(new Response.Error("no"), Response.decode(hex("22 02 6e 6f")));
  }
}
