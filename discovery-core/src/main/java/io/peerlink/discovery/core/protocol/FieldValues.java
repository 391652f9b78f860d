package io.peerlink.discovery.core.protocol;

import java.util.List;

/**
 * The decoded values of one message, by the position of the field in its {@link Schema}: what a
 * record's constructor is built from.
 */
final class FieldValues {
  // Filled by Schema.read: scalars and slice positions in numbers, strings, bytes and lists in refs.
  final long[] numbers;
  final Object[] refs;
  UnknownFields unknown = UnknownFields.EMPTY;
  ByteSlice retained;

  /** Every field absent: numbers 0, references as in {@code defaults}. */
  FieldValues(Object[] defaults) {
    numbers = new long[defaults.length];
    refs = defaults.clone();
  }

  long u64(int i) {
    return numbers[i];
  }

  int u32(int i) {
    return (int) numbers[i];
  }

  boolean bool(int i) {
    return numbers[i] != 0;
  }

  String string(int i) {
    return (String) refs[i];
  }

  byte[] bytes(int i) {
    return (byte[]) refs[i];
  }

  /** A slice field: its offset in {@link #retained} in the high 32 bits, its length in the low. */
  ByteSlice slice(int i) {
    int length = (int) numbers[i];
    return length == 0 ? ByteSlice.EMPTY : retained.slice((int) (numbers[i] >>> 32), length);
  }

  @SuppressWarnings("unchecked")
  <X> List<X> list(int i) {
    return refs[i] == null ? List.of() : (List<X>) refs[i];
  }

  UnknownFields unknown() {
    return unknown;
  }

  /** The bytes the message was read from (retaining schemas only), else null. */
  ByteSlice retained() {
    return retained;
  }
}
