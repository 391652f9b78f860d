package io.peerlink.it;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.peerlink.discovery.core.proto.Seed;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for the Go master on loopback TCP, built on protoc's classes of {@code seed.proto}:
 * the query channel's status calls, {@code get_blocks_range} (at most 500 blocks an answer) and
 * {@code sync_blocks}, which, as the Go master does, stores a block from its
 * {@code raw_block_bytes} and skips a block without them. Its own blocks carry fields 12 and 13
 * and a field of a later generation (40), as a Go master's would.
 */
final class StandInGoMaster implements AutoCloseable {

  private final ServerSocket server;
  private final TreeMap<Long, Seed.BlockData> blocks = new TreeMap<>(); // guarded by itself
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  final AtomicInteger syncRequests = new AtomicInteger();
  final AtomicInteger skipped = new AtomicInteger();
  private volatile long epoch;

  StandInGoMaster() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::acceptLoop, "stand-in-go-master");
    t.setDaemon(true);
    t.start();
  }

  int port() {
    return server.getLocalPort();
  }

  String endpoint() {
    return "tcp://127.0.0.1:" + port();
  }

  /** Makes blocks 1..n of its own, chained by hash, with fields 12 and 13 and an unknown field 40. */
  StandInGoMaster withOwnBlocks(int n) {
    byte[] parent = new byte[32];
    synchronized (blocks) {
      for (long i = 1; i <= n; i++) {
        byte[] hash = sha256("go block " + i);
        blocks.put(i, Seed.BlockData.newBuilder().setBlockNumber(i).setBlockHash(ByteString.copyFrom(hash))
            .setTimestampMs(SeedWire.T0 + i).setParentHash(ByteString.copyFrom(parent))
            .setRawBlockBytes(ByteString.copyFromUtf8("go raw block " + i))
            .setBackupData(ByteString.copyFromUtf8("go backup " + i))
            .setUnknownFields(UnknownFieldSet.newBuilder().addField(40, UnknownFieldSet.Field.newBuilder()
                .addLengthDelimited(ByteString.copyFromUtf8("a later generation's field")).build()).build())
            .build());
        parent = hash;
      }
    }
    return this;
  }

  long lastBlock() {
    synchronized (blocks) {
      long last = 0;
      while (blocks.containsKey(last + 1)) {
        last++;
      }
      return last;
    }
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        sockets.add(s);
        Thread t = new Thread(() -> serve(s), "stand-in-go-master-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void serve(Socket s) {
    try (s; DataInputStream in = new DataInputStream(s.getInputStream());
         DataOutputStream out = new DataOutputStream(s.getOutputStream())) {
      while (true) {
        byte[] body = new byte[in.readInt()];
        in.readFully(body);
        Seed.Request request;
        try {
          request = Seed.Request.parseFrom(body);
        } catch (IOException e) {
          return; // the Go master closes the connection on a body it cannot parse
        }
        byte[] answer = answer(request).toByteArray();
        out.writeInt(answer.length);
        out.write(answer);
        out.flush();
      }
    } catch (IOException e) {
      // the client went away
    }
  }

  private Seed.Response answer(Seed.Request r) {
    Seed.Response.Builder a = Seed.Response.newBuilder();
    switch (r.getPayloadCase()) {
      case GET_CURRENT_EPOCH_REQUEST:
        return a.setGetCurrentEpochResponse(Seed.GetCurrentEpochResponse.newBuilder().setEpoch(epoch)).build();
      case GET_LAST_BLOCK_NUMBER_REQUEST:
        return a.setLastBlockNumberResponse(Seed.LastBlockNumberResponse.newBuilder().setLastBlockNumber(lastBlock()))
            .build();
      case GET_EPOCH_START_TIMESTAMP_REQUEST:
        return a.setGetEpochStartTimestampResponse(Seed.GetEpochStartTimestampResponse.newBuilder().setTimestampMs(SeedWire.T0))
            .build();
      case GET_BLOCKS_RANGE_REQUEST: {
        Seed.GetBlocksRangeRequest q = r.getGetBlocksRangeRequest();
        Seed.GetBlocksRangeResponse.Builder range = Seed.GetBlocksRangeResponse.newBuilder();
        synchronized (blocks) {
          long to = Math.min(q.getToBlock(), lastBlock());
          for (long i = q.getFromBlock(); i <= to && range.getBlocksCount() < 500; i++) {
            range.addBlocks(blocks.get(i));
          }
        }
        return a.setGetBlocksRangeResponse(range.setCount(range.getBlocksCount())).build();
      }
      case SYNC_BLOCKS_REQUEST: {
        syncRequests.incrementAndGet();
        List<Seed.BlockData> given = r.getSyncBlocksRequest().getBlocksList();
        if (given.isEmpty()) {
          return a.setSyncBlocksResponse(Seed.SyncBlocksResponse.newBuilder().setError("no blocks")).build();
        }
        int synced = 0;
        synchronized (blocks) {
          for (Seed.BlockData b : given) {
            if (b.getRawBlockBytes().isEmpty()) {
              skipped.incrementAndGet(); // as the Go master: no raw_block_bytes, nothing to store
              continue;
            }
            blocks.put(b.getBlockNumber(), b);
            synced++;
          }
        }
        return a.setSyncBlocksResponse(Seed.SyncBlocksResponse.newBuilder().setSyncedCount(synced)
            .setLastSyncedBlock(lastBlock())).build();
      }
      case ADVANCE_EPOCH_REQUEST:
        epoch = r.getAdvanceEpochRequest().getNewEpoch(); // quietly, whatever the epoch, as the Go master does
        return a.setAdvanceEpochResponse(Seed.AdvanceEpochResponse.newBuilder().setNewEpoch(epoch)).build();
      default:
        return a.setError("stand-in: " + r.getPayloadCase() + " is not served").build();
    }
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : sockets) {
      s.close();
    }
  }
}
