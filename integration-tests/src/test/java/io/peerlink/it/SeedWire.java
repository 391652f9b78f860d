package io.peerlink.it;

import com.google.protobuf.ByteString;
import io.peerlink.discovery.core.proto.Seed;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;

/**
 * The stand-in client: the seed's messages as protoc's classes of {@code seed.proto} (protobuf-java,
 * not peerlink's codec), over plain JDK sockets, framed as the Rust node frames them: a 4-byte
 * big-endian length on the query channel, a varint length on the block channel.
 */
final class SeedWire implements AutoCloseable {

  /** The consensus time of commit 0 of {@link #commit}. */
  static final long T0 = 1_700_000_000_000L;

  private final SocketChannel channel;

  private SeedWire(SocketChannel channel) {
    this.channel = channel;
  }

  static SeedWire tcp(int port) throws IOException {
    SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
    ch.socket().setSoTimeout(30_000);
    return new SeedWire(ch);
  }

  static SeedWire unix(Path socket) throws IOException {
    SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
    ch.connect(UnixDomainSocketAddress.of(socket));
    return new SeedWire(ch);
  }

  /** One request, its answer's protobuf bytes. */
  byte[] callRaw(byte[] request) throws IOException {
    // The length and the body as two writes, as the Rust client writes them.
    write(ByteBuffer.allocate(4).putInt(request.length).array());
    write(request);
    ByteBuffer header = read(4);
    return read(header.getInt(0)).array();
  }

  Seed.Response call(Seed.Request request) throws IOException {
    Seed.Response r = Seed.Response.parseFrom(callRaw(request.toByteArray()));
    return r;
  }

  private void write(byte[] bytes) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    while (b.hasRemaining()) {
      channel.write(b);
    }
  }

  private ByteBuffer read(int n) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(n);
    while (b.hasRemaining()) {
      if (channel.read(b) < 0) {
        throw new IOException("closed after " + b.position() + " of " + n + " bytes");
      }
    }
    return b;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  // ---- requests, as the Rust node builds them

  static Seed.Request currentEpoch() {
    return Seed.Request.newBuilder().setGetCurrentEpochRequest(Seed.GetCurrentEpochRequest.getDefaultInstance()).build();
  }

  static Seed.Request lastBlock() {
    return Seed.Request.newBuilder().setGetLastBlockNumberRequest(Seed.GetLastBlockNumberRequest.getDefaultInstance())
        .build();
  }

  static Seed.Request boundaryData(long epoch) {
    return Seed.Request.newBuilder().setGetEpochBoundaryDataRequest(
        Seed.GetEpochBoundaryDataRequest.newBuilder().setEpoch(epoch)).build();
  }

  static Seed.Request validatorsAt(long block) {
    return Seed.Request.newBuilder().setGetValidatorsAtBlockRequest(
        Seed.GetValidatorsAtBlockRequest.newBuilder().setBlockNumber(block)).build();
  }

  static Seed.Request epochStart(long epoch) {
    return Seed.Request.newBuilder().setGetEpochStartTimestampRequest(
        Seed.GetEpochStartTimestampRequest.newBuilder().setEpoch(epoch)).build();
  }

  static Seed.Request blocksRange(long from, long to) {
    return Seed.Request.newBuilder().setGetBlocksRangeRequest(
        Seed.GetBlocksRangeRequest.newBuilder().setFromBlock(from).setToBlock(to)).build();
  }

  static Seed.Request waitFor(long block, long seconds) {
    return Seed.Request.newBuilder().setWaitForSyncToBlockRequest(
        Seed.WaitForSyncToBlockRequest.newBuilder().setTargetBlock(block).setTimeoutSeconds(seconds)).build();
  }

  static Seed.Request consensusFrom(long block) {
    return Seed.Request.newBuilder().setSetConsensusStartBlockRequest(
        Seed.SetConsensusStartBlockRequest.newBuilder().setBlockNumber(block)).build();
  }

  // ---- the block channel

  /** Commit {@code n} of a consensus run whose epoch {@code e} holds commits 10e+1..10e+10. */
  static Seed.CommittedEpochData commit(long n) {
    long epoch = (n - 1) / 10;
    return Seed.CommittedEpochData.newBuilder()
        .addBlocks(Seed.CommittedBlock.newBuilder().setEpoch(epoch).setHeight(n)
            .addTransactions(Seed.TransactionExe.newBuilder().setDigest(ByteString.copyFromUtf8("tx-" + n)).setWorkerId(1)))
        .setGlobalExecIndex(n).setCommitIndex((int) (n - 10 * epoch)).setEpoch(epoch).setCommitTimestampMs(T0 + 1000 * n)
        .build();
  }

  /** Writes commits to a master's block channel, varint-delimited (Go's Uvarint framing). */
  static void sendCommits(Path blockChannel, long from, long to) throws IOException {
    SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
    ch.connect(UnixDomainSocketAddress.of(blockChannel));
    try (ch; OutputStream out = Channels.newOutputStream(ch)) {
      for (long n = from; n <= to; n++) {
        commit(n).writeDelimitedTo(out);
      }
      out.flush();
    }
  }

  /** Asks with request 12 until the master holds {@code block}; fails if it does not within 30 s. */
  static void awaitBlock(Path querySocket, long block) throws IOException {
    try (SeedWire w = unix(querySocket)) {
      Seed.WaitForSyncToBlockResponse r = w.call(waitFor(block, 30)).getWaitForSyncToBlockResponse();
      if (!r.getReached()) {
        throw new AssertionError(querySocket + ": block " + block + " not reached: " + r.getMessage());
      }
    }
  }

  /** A committee file of {@code n} authorities, in the wrapped shape. */
  static String committeeJson(int n) {
    StringBuilder a = new StringBuilder();
    for (int i = 0; i < n; i++) {
      a.append(i == 0 ? "" : ", ").append("{\"stake\": 1, \"address\": \"/ip4/127.0.0.1/tcp/").append(9000 + i)
          .append("\", \"hostname\": \"node-").append(i).append("\", \"authority_key\": \"bls").append(i)
          .append("\", \"protocol_key\": \"ed").append(i).append("\", \"network_key\": \"net").append(i).append("\"}");
    }
    return "{\"committee\": {\"epoch\": 0, \"total_stake\": " + n + ", \"quorum_threshold\": " + (2 * n / 3 + 1)
        + ", \"validity_threshold\": " + (n / 3 + 1) + ", \"authorities\": [" + a + "]},"
        + " \"epoch_timestamp_ms\": " + T0 + ", \"last_global_exec_index\": 0}";
  }

  static List<String> sorted(List<String> keys) {
    return keys.stream().sorted().toList();
  }
}
