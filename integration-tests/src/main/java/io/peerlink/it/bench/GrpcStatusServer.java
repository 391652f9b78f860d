package io.peerlink.it.bench;

import io.grpc.CallOptions;
import io.grpc.KnownLength;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * The gRPC baseline: one unary method carrying the same protobuf bytes as the query channel, with
 * a pass-through {@code byte[]} marshaller (so gRPC does no protobuf work the others skip). Both
 * sides use {@code directExecutor()}, gRPC's fastest configuration: callbacks run on the Netty
 * event loop, without a hand-off to an application executor.
 */
final class GrpcStatusServer implements StatusServer {

  static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new KnownLengthStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };

  static final MethodDescriptor<byte[], byte[]> CALL = MethodDescriptor.<byte[], byte[]>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY)
      .setFullMethodName(MethodDescriptor.generateFullMethodName("peerlink.Query", "Call"))
      .setRequestMarshaller(BYTES)
      .setResponseMarshaller(BYTES)
      .build();

  private final Server server;
  private final Path socketFile; // null over TCP
  private final EventLoopGroup unixGroup; // null over TCP; shared by the server and its clients
  private final List<ManagedChannel> channels = new CopyOnWriteArrayList<>();

  private GrpcStatusServer(Server server, Path socketFile, EventLoopGroup unixGroup) {
    this.server = server;
    this.socketFile = socketFile;
    this.unixGroup = unixGroup;
  }

  private static ServerServiceDefinition service() {
    return ServerServiceDefinition.builder("peerlink.Query")
        .addMethod(CALL, ServerCalls.asyncUnaryCall(GrpcStatusServer::answer))
        .build();
  }

  private static void answer(byte[] request, StreamObserver<byte[]> response) {
    try {
      response.onNext(StatusPayload.answer(request));
      response.onCompleted();
    } catch (IOException e) {
      response.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
    }
  }

  static GrpcStatusServer startTcp() throws IOException {
    Server s = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
        .directExecutor()
        .addService(service())
        .build()
        .start();
    return new GrpcStatusServer(s, null, null);
  }

  /** Over a Unix domain socket: needs Netty's native epoll, which grpc-netty-shaded ships for Linux. */
  static GrpcStatusServer startUnix(Path path) throws IOException {
    if (!Epoll.isAvailable()) {
      throw new IOException("gRPC over a Unix socket needs Netty epoll: " + Epoll.unavailabilityCause());
    }
    Files.deleteIfExists(path);
    EventLoopGroup group = new EpollEventLoopGroup();
    Server s = NettyServerBuilder.forAddress(new DomainSocketAddress(path.toString()))
        .channelType(EpollServerDomainSocketChannel.class)
        .bossEventLoopGroup(group)
        .workerEventLoopGroup(group)
        .directExecutor()
        .addService(service())
        .build()
        .start();
    return new GrpcStatusServer(s, path, group);
  }

  @Override
  public StatusClient connect(boolean pipelined) throws Exception {
    NettyChannelBuilder b;
    if (socketFile == null) {
      InetSocketAddress local = (InetSocketAddress) server.getListenSockets().get(0);
      b = NettyChannelBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), local.getPort()));
    } else {
      b = NettyChannelBuilder.forAddress(new DomainSocketAddress(socketFile.toString()))
          .eventLoopGroup(unixGroup)
          .channelType(EpollDomainSocketChannel.class);
    }
    ManagedChannel channel = b.usePlaintext().directExecutor().build();
    channels.add(channel);
    GrpcStatusClient client = new GrpcStatusClient(channel);
    client.call(); // connects now, not inside the first measured call
    return client;
  }

  @Override
  public void close() {
    for (ManagedChannel c : channels) {
      c.shutdownNow();
    }
    server.shutdownNow();
    try {
      for (ManagedChannel c : channels) {
        c.awaitTermination(5, TimeUnit.SECONDS);
      }
      server.awaitTermination(5, TimeUnit.SECONDS);
      if (unixGroup != null) {
        unixGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
      }
      if (socketFile != null) {
        Files.deleteIfExists(socketFile);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // a leftover socket file in a temp dir
    }
  }

  /** Lets gRPC size the message without copying it through a buffer first. */
  private static final class KnownLengthStream extends ByteArrayInputStream implements KnownLength {
    KnownLengthStream(byte[] buf) {
      super(buf);
    }
  }

  private static final class GrpcStatusClient implements StatusClient {
    private final ManagedChannel channel;

    GrpcStatusClient(ManagedChannel channel) {
      this.channel = channel;
    }

    @Override
    public long call() throws IOException {
      return StatusPayload.epochOf(ClientCalls.blockingUnaryCall(channel, CALL, CallOptions.DEFAULT,
          StatusPayload.request()));
    }

    @Override
    public void callAsync(BiConsumer<Long, Throwable> done) {
      ClientCalls.asyncUnaryCall(channel.newCall(CALL, CallOptions.DEFAULT), StatusPayload.request(),
          new StreamObserver<>() {
            private byte[] answer;

            @Override
            public void onNext(byte[] value) {
              answer = value;
            }

            @Override
            public void onError(Throwable t) {
              done.accept(null, t);
            }

            @Override
            public void onCompleted() {
              long epoch;
              try {
                epoch = StatusPayload.epochOf(answer);
              } catch (IOException e) {
                done.accept(null, e);
                return;
              }
              done.accept(epoch, null);
            }
          });
    }

    @Override
    public void close() {
      channel.shutdownNow();
    }
  }
}
