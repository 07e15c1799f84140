package io.flock.privacy.secagg;

import io.flock.privacy.crypto.ChaCha20Prg;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.SecretWithEncapsulation;
import org.bouncycastle.crypto.agreement.X25519Agreement;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.generators.MLKEMKeyPairGenerator;
import org.bouncycastle.crypto.generators.X25519KeyPairGenerator;
import org.bouncycastle.crypto.kems.MLKEMExtractor;
import org.bouncycastle.crypto.kems.MLKEMGenerator;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.MLKEMKeyGenerationParameters;
import org.bouncycastle.crypto.params.MLKEMParameters;
import org.bouncycastle.crypto.params.MLKEMPrivateKeyParameters;
import org.bouncycastle.crypto.params.MLKEMPublicKeyParameters;
import org.bouncycastle.crypto.params.X25519KeyGenerationParameters;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.X25519PublicKeyParameters;
import org.bouncycastle.crypto.threshold.ShamirSecretSplitter;
import org.bouncycastle.crypto.threshold.ShamirSplitSecret;
import org.bouncycastle.crypto.threshold.ShamirSplitSecretShare;

/**
 * The primitives of the protocol, all from Bouncy Castle's lightweight API: X25519, ML-KEM-768,
 * HKDF-SHA256, AES-256-GCM, Shamir sharing over GF(2^8), and ChaCha20 mask expansion. Every key
 * derivation, associated data and signed message is a {@link #transcript} that binds the protocol
 * version, a purpose label and the round, so no value can be replayed into another round or role.
 */
final class SecaggCrypto {

  static final MLKEMParameters KEM = MLKEMParameters.ml_kem_768;
  static final int SEED_BYTES = 32;
  static final int X25519_PUBLIC_BYTES = X25519PublicKeyParameters.KEY_SIZE;
  static final int KEM_PUBLIC_BYTES = 1184; // FIPS 203, ML-KEM-768 encapsulation key
  static final int KEM_CIPHERTEXT_BYTES = 1088; // FIPS 203, ML-KEM-768 ciphertext
  static final int SEALED_SHARE_BYTES = SEED_BYTES + 16; // share + GCM tag

  private static final String VERSION = "flock-secagg/v1/";
  // Distinct ChaCha20 nonces keep the self mask and a pairwise mask apart even for equal keys.
  private static final long SELF_MASK_NONCE = 1;
  private static final long PAIR_MASK_NONCE = 2;
  // Each channel key encrypts exactly one share, so a constant GCM nonce is never reused.
  private static final byte[] GCM_NONCE = new byte[12];

  private static final X25519PrivateKeyParameters LOW_ORDER_PROBE =
      new X25519PrivateKeyParameters(new byte[X25519PrivateKeyParameters.KEY_SIZE]);

  private SecaggCrypto() {}

  /** Length-prefixed encoding of a label, the round, two client ids and byte fields. */
  static byte[] transcript(String label, long round, int a, int b, byte[]... fields) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeUTF(VERSION + label);
      out.writeLong(round);
      out.writeInt(a);
      out.writeInt(b);
      for (byte[] f : fields) {
        out.writeInt(f.length);
        out.write(f);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static AsymmetricCipherKeyPair x25519KeyPair(SecureRandom random) {
    X25519KeyPairGenerator gen = new X25519KeyPairGenerator();
    gen.init(new X25519KeyGenerationParameters(random));
    return gen.generateKeyPair();
  }

  static AsymmetricCipherKeyPair kemKeyPair(SecureRandom random) {
    MLKEMKeyPairGenerator gen = new MLKEMKeyPairGenerator();
    gen.init(new MLKEMKeyGenerationParameters(random, KEM));
    return gen.generateKeyPair();
  }

  /**
   * Whether {@code publicKey} is a point of small order, with which every X25519 secret is zero.
   * Any fixed scalar detects it: X25519 clamps scalars to multiples of 8, the largest such order.
   */
  static boolean isLowOrderX25519(byte[] publicKey) {
    try {
      x25519(LOW_ORDER_PROBE, publicKey);
      return false;
    } catch (IllegalStateException e) {
      return true;
    }
  }

  /** Whether {@code publicKey} passes FIPS 203's modulus check for an ML-KEM-768 key. */
  static boolean isValidKemPublicKey(byte[] publicKey) {
    try {
      new MLKEMPublicKeyParameters(KEM, publicKey);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** X25519 shared secret; Bouncy Castle refuses an all-zero result (a low-order public key). */
  static byte[] x25519(X25519PrivateKeyParameters mine, byte[] theirPublic) {
    X25519Agreement agreement = new X25519Agreement();
    agreement.init(mine);
    byte[] out = new byte[agreement.getAgreementSize()];
    agreement.calculateAgreement(new X25519PublicKeyParameters(theirPublic, 0), out, 0);
    return out;
  }

  static SecretWithEncapsulation encapsulate(byte[] theirKemPublic, SecureRandom random) {
    return new MLKEMGenerator(random)
        .generateEncapsulated(new MLKEMPublicKeyParameters(KEM, theirKemPublic));
  }

  static byte[] decapsulate(MLKEMPrivateKeyParameters mine, byte[] ciphertext) {
    return new MLKEMExtractor(mine).extractSecret(ciphertext);
  }

  /** HKDF-SHA256 (RFC 5869) of {@code ikm}, 32 bytes, with {@code info} as the context. */
  static byte[] hkdf(byte[] ikm, byte[] info) {
    HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
    hkdf.init(new HKDFParameters(ikm, null, info));
    byte[] out = new byte[SEED_BYTES];
    hkdf.generateBytes(out, 0, out.length);
    return out;
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  static byte[] seal(byte[] key, byte[] aad, byte[] plaintext) {
    GCMModeCipher gcm = gcm(true, key, aad);
    byte[] out = new byte[gcm.getOutputSize(plaintext.length)];
    int n = gcm.processBytes(plaintext, 0, plaintext.length, out, 0);
    try {
      gcm.doFinal(out, n);
    } catch (InvalidCipherTextException e) {
      throw new IllegalStateException("AES-GCM encryption failed", e);
    }
    return out;
  }

  /**
   * Decrypts and authenticates.
   *
   * @throws InvalidCipherTextException if the ciphertext, key or associated data was altered
   */
  static byte[] open(byte[] key, byte[] aad, byte[] sealed) throws InvalidCipherTextException {
    GCMModeCipher gcm = gcm(false, key, aad);
    byte[] out = new byte[gcm.getOutputSize(sealed.length)];
    int n = gcm.processBytes(sealed, 0, sealed.length, out, 0);
    gcm.doFinal(out, n);
    return out;
  }

  private static GCMModeCipher gcm(boolean encrypt, byte[] key, byte[] aad) {
    GCMModeCipher gcm = GCMBlockCipher.newInstance(AESEngine.newInstance());
    gcm.init(encrypt, new AEADParameters(new KeyParameter(key), 128, GCM_NONCE, aad));
    return gcm;
  }

  /** Shamir shares of {@code secret}, any {@code threshold} of {@code count} recover it. */
  static byte[][] split(byte[] secret, int threshold, int count, SecureRandom random) {
    ShamirSplitSecretShare[] shares =
        ShamirSecretSplitter.getInstance(ShamirSecretSplitter.Algorithm.AES, secret.length, random)
            .resplit(secret, threshold, count)
            .getSecretShares();
    byte[][] out = new byte[count][];
    for (int i = 0; i < count; i++) {
      try {
        out[i] = shares[i].getEncoded();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }

  /**
   * The secret from shares at evaluation points {@code xs} (1-based, as {@link #split} numbers
   * them).
   */
  static byte[] combine(int[] xs, byte[][] shares) {
    ShamirSplitSecretShare[] in = new ShamirSplitSecretShare[xs.length];
    for (int i = 0; i < xs.length; i++) {
      in[i] = new ShamirSplitSecretShare(shares[i], xs[i]);
    }
    try {
      return ShamirSplitSecret.getInstance(ShamirSecretSplitter.Algorithm.AES, in).getSecret();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Adds (sign +1) or subtracts (sign -1) the self mask expanded from {@code seed}, mod 2^32. */
  static void addSelfMask(int[] y, byte[] seed, int sign) {
    addStream(y, new ChaCha20Prg(seed, SELF_MASK_NONCE), sign);
  }

  /**
   * Adds (sign +1) or subtracts (sign -1) the pairwise mask expanded from {@code seed}, mod 2^32.
   */
  static void addPairMask(int[] y, byte[] seed, int sign) {
    addStream(y, new ChaCha20Prg(seed, PAIR_MASK_NONCE), sign);
  }

  private static void addStream(int[] y, ChaCha20Prg prg, int sign) {
    if (sign > 0) {
      for (int i = 0; i < y.length; i++) {
        y[i] += prg.nextInt();
      }
    } else {
      for (int i = 0; i < y.length; i++) {
        y[i] -= prg.nextInt();
      }
    }
  }
}
