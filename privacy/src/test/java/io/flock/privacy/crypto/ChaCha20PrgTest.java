package io.flock.privacy.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bouncycastle.crypto.engines.ChaChaEngine;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;
import org.bouncycastle.util.encoders.Hex;
import org.junit.jupiter.api.Test;

class ChaCha20PrgTest {

  @Test
  void zeroKeyAndNonceGiveTheRfc8439TestVector() {
    // RFC 8439, Appendix A.1, Test Vector #1 (key 0, nonce 0, block counter 0): with a zero nonce
    // and counter the original and IETF ChaCha20 layouts coincide.
    byte[] expected =
        Hex.decode(
            "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7"
                + "da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586");
    ChaCha20Prg prg = new ChaCha20Prg(new byte[32], 0L);
    ByteBuffer words = ByteBuffer.wrap(expected).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < 16; i++) {
      assertEquals(words.getInt(), prg.nextInt(), "word " + i);
    }
  }

  @Test
  void streamEqualsBouncyCastleChaChaEngineKeystreamAcrossBlocks() {
    byte[] key = Hex.decode("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    long nonce = 0x0123456789abcdefL;
    ChaChaEngine engine = new ChaChaEngine(20);
    byte[] iv = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(nonce).array();
    engine.init(true, new ParametersWithIV(new KeyParameter(key), iv));
    byte[] keystream = new byte[64 * 4];
    engine.processBytes(new byte[keystream.length], 0, keystream.length, keystream, 0);
    ByteBuffer expected = ByteBuffer.wrap(keystream).order(ByteOrder.LITTLE_ENDIAN);

    ChaCha20Prg prg = new ChaCha20Prg(key, nonce);
    // One int first, so that every following long straddles a 64-byte block boundary once.
    assertEquals(expected.getInt(), prg.nextInt());
    for (int i = 0; i < 31; i++) {
      assertEquals(expected.getLong(), prg.nextLong(), "long " + i);
    }
  }

  @Test
  void differentNoncesGiveDifferentStreams() {
    byte[] key = new byte[32];
    assertNotEquals(new ChaCha20Prg(key, 1).nextLong(), new ChaCha20Prg(key, 2).nextLong());
  }

  @Test
  void uniformDoublesStayInTheirIntervals() {
    ChaCha20Prg prg = new ChaCha20Prg(new byte[32], 7);
    for (int i = 0; i < 10_000; i++) {
      double u = prg.nextDouble();
      double v = prg.nextDoubleNonZero();
      assertFalse(u < 0 || u >= 1, "nextDouble " + u);
      assertFalse(v <= 0 || v > 1, "nextDoubleNonZero " + v);
    }
  }

  @Test
  void keyOfTheWrongLengthIsRejectedWithTheLength() {
    var e = assertThrows(IllegalArgumentException.class, () -> new ChaCha20Prg(new byte[16], 0));
    assertEquals("key must be 32 bytes, was 16", e.getMessage());
  }

  @Test
  void toStringRevealsNoKey() {
    assertEquals("ChaCha20Prg[key=<redacted>]", new ChaCha20Prg(new byte[32], 0).toString());
  }
}
