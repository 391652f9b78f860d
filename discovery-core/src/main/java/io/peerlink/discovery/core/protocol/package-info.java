/**
 * The seed system's wire messages, with a small hand-made protobuf codec that writes the same
 * bytes as protobuf-java and Go's {@code proto.Marshal}: fields in number order, zero and empty
 * scalars omitted, an empty message selected in a oneof still written.
 *
 * <p>Readers skip unknown fields of every wire type (groups included, nested at most 100 deep),
 * reject truncated, over-long or malformed input with {@link
 * io.peerlink.discovery.core.protocol.ProtocolException}, and check every length prefix against
 * the bytes left before allocating, so decoding never costs more than the input's size.
 *
 * <p>Query channel: {@link io.peerlink.discovery.core.protocol.Request} and {@link
 * io.peerlink.discovery.core.protocol.Response}. Block channel: {@link
 * io.peerlink.discovery.core.protocol.CommittedEpochData}. The framing is transport-api's
 * {@code FrameFormat}.
 */
package io.peerlink.discovery.core.protocol;
