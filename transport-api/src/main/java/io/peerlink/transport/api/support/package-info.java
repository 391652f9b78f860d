/**
 * What every transport needs, written once: for transport implementers, not for applications.
 *
 * <p>An application uses {@code io.peerlink.transport.api} only. A transport module (transport-unix,
 * transport-tcp, a third party's) builds on the types here so that it adds only its I/O, in the
 * manner of Netty's {@code AbstractChannel} and grpc-java's {@code io.grpc.internal}. The types are
 * public because transports live in other modules; their signatures may change between releases
 * as the transports' needs do.
 *
 * <ul>
 *   <li>{@link io.peerlink.transport.api.support.AbstractConnection}: close once, with a cause
 *       and its kind; the send checks; the close notification.
 *   <li>{@link io.peerlink.transport.api.support.FrameDecoder}: the frame-decoding state machine,
 *       memory following the bytes received, not the lengths announced.
 *   <li>{@link io.peerlink.transport.api.support.PipelineBound}: the pipelining rule of
 *       {@link io.peerlink.transport.api.ListenerLimits#maxPipelined()}.
 *   <li>{@link io.peerlink.transport.api.support.ConnectionDeadlines}: the idle and partial-frame
 *       deadlines of {@link io.peerlink.transport.api.ListenerLimits}, and the errors they close with.
 *   <li>{@link io.peerlink.transport.api.support.ListenerCounters}: the counters behind
 *       {@link io.peerlink.transport.api.ListenerStats}, with admission under the connection caps.
 *   <li>{@link io.peerlink.transport.api.support.RateLimitedLog}: the first event of a kind, then
 *       at most one line per interval saying how many were left out.
 * </ul>
 */
package io.peerlink.transport.api.support;
