package io.flock.models.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelWeightsTest {

  static final ModelLayout LAYOUT =
      new ModelLayout(List.of(ParamSpec.of("w", 2, 3), ParamSpec.of("b", 3)));

  @Test
  void weightsWithEqualPayloadsAreEqualAndCopiesAreDefensive() {
    float[] v = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    ModelWeights a = ModelWeights.of(LAYOUT, v);
    v[0] = 100;
    ModelWeights b = ModelWeights.of(LAYOUT, new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
    a.toArray()[1] = 42;
    assertEquals(2f, a.get(1));
    assertNotEquals(a, ModelWeights.zeros(LAYOUT));
  }

  @Test
  void toStringShowsCountsAndChecksumNotValues() {
    String s = ModelWeights.of(LAYOUT, new float[] {1, 2, 3, 4, 5, 6, 7, 8, 123456}).toString();
    assertTrue(s.contains("params=9") && s.contains("tensors=2") && s.contains("crc32="), s);
    assertTrue(!s.contains("123456"), s);
  }

  @Test
  void payloadOfWrongLengthIsRejectedWithBothCounts() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ModelWeights.of(LAYOUT, new float[4]));
    assertTrue(e.getMessage().contains("4 values") && e.getMessage().contains("needs 9"), e.getMessage());
  }

  @Test
  void cborEncodingIsAByteStringOfFourBytesPerParameter() throws Exception {
    ObjectMapper cbor = new ObjectMapper(new CBORFactory());
    int n = 100_000;
    ModelLayout big = new ModelLayout(List.of(ParamSpec.of("w", n)));
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) Math.sin(i);
    }
    ModelWeights w = ModelWeights.of(big, v);
    byte[] bytes = cbor.writeValueAsBytes(w);
    // payload plus a small header (layout, field names): well under 5 bytes per parameter
    assertTrue(bytes.length >= 4 * n && bytes.length < 4 * n + 200, "encoded " + bytes.length);
    assertEquals(w, cbor.readValue(bytes, ModelWeights.class));
  }

  @Test
  void differenceAndScaledSumAreElementWise() {
    ModelWeights a = ModelWeights.of(LAYOUT, new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
    ModelWeights b = ModelWeights.of(LAYOUT, new float[] {1, 1, 1, 1, 1, 1, 1, 1, 1});
    assertEquals(ModelWeights.of(LAYOUT, new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8}), a.minus(b));
    assertEquals(ModelWeights.of(LAYOUT, new float[] {3, 4, 5, 6, 7, 8, 9, 10, 11}), a.plusScaled(b, 2));
  }

  @Test
  void layoutRejectsDuplicateNamesAndBadShapes() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new ModelLayout(List.of(ParamSpec.of("w", 2), ParamSpec.of("w", 3))));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ParamSpec.of("w", 2, 0));
    assertTrue(e.getMessage().contains("'w'"), e.getMessage());
  }

  @Test
  void firstNonFiniteIsTheIndexOfTheFirstNanOrInfinity() {
    ModelWeights w = ModelWeights.of(LAYOUT, new float[] {1, 2, Float.NaN, 4, Float.POSITIVE_INFINITY, 6, 7, 8, 9});
    assertEquals(2, w.firstNonFinite());
    assertEquals(-1, ModelWeights.zeros(LAYOUT).firstNonFinite());
  }

  @Test
  void slicesConcatenateToThePayloadAndTheChecksumIsItsCrc32() {
    int n = 200_003; // more than one checksum block, not a multiple of it
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (i % 7 == 0) ? -i : i * 0.25f;
    }
    ModelWeights w = ModelWeights.of(new ModelLayout(List.of(ParamSpec.of("w", n))), v);
    byte[] whole = w.payloadBytes();
    java.io.ByteArrayOutputStream joined = new java.io.ByteArrayOutputStream();
    for (int from = 0; from < n; from += 65_536) {
      joined.writeBytes(w.payloadSlice(from, Math.min(65_536, n - from)));
    }
    org.junit.jupiter.api.Assertions.assertArrayEquals(whole, joined.toByteArray());
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(whole);
    assertEquals(crc.getValue(), w.checksum());
    assertEquals(0, w.payloadSlice(n, 0).length);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> w.payloadSlice(n - 1, 2));
    assertTrue(e.getMessage().contains("outside the 200003 values"), e.getMessage());
  }

  @Test
  void aViewShowsTheValuesOfOneParameterAndCannotChangeThem() {
    ModelWeights w = ModelWeights.of(LAYOUT, new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
    java.nio.FloatBuffer bias = w.view(6, 3);
    assertEquals(3, bias.remaining());
    assertEquals(7f, bias.get(0));
    assertEquals(9f, bias.get(2));
    assertThrows(java.nio.ReadOnlyBufferException.class, () -> bias.put(0, 0f));
    assertEquals(7f, w.get(6));
  }
}
