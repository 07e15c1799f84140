package io.flock.privacy.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A federation's certificate authority and its members' TLS certificates, for Artery's mutually
 * authenticated TLS: one CA per federation, one EC P-256 key and certificate per member, PKCS12
 * key stores with random passwords, and a trust store holding only the CA, so that with mutual
 * authentication only holders of this CA's certificates can connect ({@link #issuedBy} checks a
 * chain; {@code ArteryTlsClusterTest} in cluster-config runs the cluster handshake with them).
 *
 * <p>Certificates are built with Bouncy Castle's PKIX API through an explicit provider instance
 * (no JVM-global provider registration). Files: {@code ca.p12} (the CA key: keep it offline),
 * {@code truststore.p12}, {@code <member>.p12}, each with a {@code .password} file readable by
 * its owner only.
 */
public final class FederationCertificates {

  /** The CA's key store, password and trust store under {@code dir}. */
  public static final String CA_STORE = "ca.p12";
  public static final String TRUST_STORE = "truststore.p12";
  private static final String CA_ALIAS = "federation-ca";
  private static final Duration VALIDITY = Duration.ofDays(825);

  private final BouncyCastleProvider bc = new BouncyCastleProvider();
  private final SecureRandom random;

  public FederationCertificates(SecureRandom random) {
    this.random = random;
  }

  /**
   * A member's TLS material.
   *
   * @param keyStore PKCS12 with the member's key and certificate chain
   * @param trustStore PKCS12 with the federation CA
   * @param password password of both stores and of the key
   */
  public record MemberFiles(Path keyStore, Path trustStore, String password) {}

  /** Creates the CA in {@code dir} unless one is already there; returns its certificate. */
  public X509Certificate ensureCa(Path dir, String federation) throws IOException, GeneralSecurityException {
    Path store = dir.resolve(CA_STORE);
    if (Files.exists(store)) {
      return (X509Certificate) loadCa(dir).getCertificate(CA_ALIAS);
    }
    Files.createDirectories(dir);
    KeyPair keys = ecKeyPair();
    X500Name name = new X500Name("CN=" + federation + " Flock federation CA");
    X509v3CertificateBuilder b = builder(name, name, keys, Instant.now());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    X509Certificate ca = sign(b, keys.getPrivate());
    String password = newPassword();
    writeStore(store, password, ks -> ks.setKeyEntry(CA_ALIAS, keys.getPrivate(), password.toCharArray(),
        new java.security.cert.Certificate[] {ca}));
    writeSecret(passwordFile(store), password);
    String trustPassword = newPassword();
    writeStore(dir.resolve(TRUST_STORE), trustPassword, ks -> ks.setCertificateEntry(CA_ALIAS, ca));
    writeSecret(passwordFile(dir.resolve(TRUST_STORE)), trustPassword);
    return ca;
  }

  /**
   * Issues a certificate for member {@code member}, valid for the host names and IP addresses in
   * {@code hosts} (the addresses its Artery endpoint is reached at).
   */
  public MemberFiles issueMember(Path dir, String member, List<String> hosts)
      throws IOException, GeneralSecurityException {
    if (!member.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
      throw new IllegalArgumentException(
          "member name '" + member + "' must be letters, digits, '.', '_' or '-' (it names files)");
    }
    if (hosts.isEmpty()) {
      throw new IllegalArgumentException("a member certificate needs at least one host name or address");
    }
    KeyStore caStore = loadCa(dir);
    String caPassword = readSecret(passwordFile(dir.resolve(CA_STORE)));
    PrivateKey caKey = (PrivateKey) caStore.getKey(CA_ALIAS, caPassword.toCharArray());
    X509Certificate ca = (X509Certificate) caStore.getCertificate(CA_ALIAS);
    KeyPair keys = ecKeyPair();
    X509v3CertificateBuilder b = builder(X500Name.getInstance(ca.getSubjectX500Principal().getEncoded()),
        new X500Name("CN=" + member), keys, Instant.now());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
    b.addExtension(Extension.extendedKeyUsage, false,
        new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
    b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(hosts.stream()
        .map(h -> h.matches("[0-9.]+|.*:.*") ? new GeneralName(GeneralName.iPAddress, h)
            : new GeneralName(GeneralName.dNSName, h))
        .toArray(GeneralName[]::new)));
    X509Certificate cert = sign(b, caKey);
    String password = newPassword();
    Path store = dir.resolve(member + ".p12");
    writeStore(store, password, ks -> ks.setKeyEntry(member, keys.getPrivate(), password.toCharArray(),
        new java.security.cert.Certificate[] {cert, ca}));
    writeSecret(passwordFile(store), password);
    return new MemberFiles(store, dir.resolve(TRUST_STORE), password);
  }

  /** Whether {@code cert} chains to the CA certificate {@code ca} (PKIX, no revocation check). */
  public static boolean issuedBy(X509Certificate cert, X509Certificate ca) {
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(ca, null)));
      params.setRevocationEnabled(false);
      CertPathValidator.getInstance("PKIX").validate(cf.generateCertPath(List.of(cert)), params);
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** The password file next to a store. */
  public static Path passwordFile(Path store) {
    return store.resolveSibling(store.getFileName() + ".password");
  }

  /** Reads a store written here, with its password file. */
  public static KeyStore load(Path store) throws IOException, GeneralSecurityException {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      ks.load(in, readSecret(passwordFile(store)).toCharArray());
    }
    return ks;
  }

  private KeyStore loadCa(Path dir) throws IOException, GeneralSecurityException {
    Path store = dir.resolve(CA_STORE);
    if (!Files.exists(store)) {
      throw new IOException("no federation CA in " + dir + ": create it first (flock certs --out " + dir + ")");
    }
    return load(store);
  }

  private KeyPair ecKeyPair() throws GeneralSecurityException {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
    gen.initialize(new ECGenParameterSpec("secp256r1"), random);
    return gen.generateKeyPair();
  }

  private X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys, Instant now) {
    return new JcaX509v3CertificateBuilder(issuer, new BigInteger(128, random).abs(),
        Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(VALIDITY)), subject, keys.getPublic());
  }

  private X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key) throws GeneralSecurityException {
    try {
      var signer = new JcaContentSignerBuilder("SHA256withECDSA").setProvider(bc).setSecureRandom(random).build(key);
      return new JcaX509CertificateConverter().setProvider(bc).getCertificate(b.build(signer));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException("cannot sign the certificate: " + e.getMessage(), e);
    }
  }

  private String newPassword() {
    byte[] bytes = new byte[18];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private interface StoreFiller {
    void fill(KeyStore ks) throws GeneralSecurityException;
  }

  private static void writeStore(Path store, String password, StoreFiller filler)
      throws IOException, GeneralSecurityException {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    filler.fill(ks);
    Path tmp = Files.createTempFile(store.toAbsolutePath().getParent(), ".store", ".tmp");
    try {
      restrict(tmp);
      try (OutputStream out = Files.newOutputStream(tmp)) {
        ks.store(out, password.toCharArray());
      }
      Files.move(tmp, store, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static void writeSecret(Path file, String secret) throws IOException {
    Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".secret", ".tmp");
    try {
      restrict(tmp);
      Files.writeString(tmp, secret + "\n", StandardCharsets.US_ASCII);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static String readSecret(Path file) throws IOException {
    if (!Files.isReadable(file)) {
      throw new IOException("password file " + file + " is missing or unreadable");
    }
    return Files.readString(file, StandardCharsets.US_ASCII).trim();
  }

  private static void restrict(Path file) throws IOException {
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException ignored) {
      // not a POSIX file system: the directory's protection applies
    }
  }

  /**
   * The HOCON overlay that runs a member's Pekko Artery over TLS 1.3 with mutual authentication
   * (plain text: this module does not depend on Pekko). Contains the stores' passwords.
   */
  public static String arteryTlsOverlay(MemberFiles f, String trustPassword) {
    return """
        # Artery over TLS 1.3 with mutual authentication: only holders of a certificate of this
        # federation's CA can connect. Generated by `flock certs`; contains secrets. Keys as read
        # by Pekko 1.7's ConfigSSLEngineProvider (PKCS12 stores: the JDK's default store type).
        pekko.remote.artery.transport = tls-tcp
        pekko.remote.artery.ssl.config-ssl-engine {
          key-store = "%s"
          key-store-password = "%s"
          key-password = "%s"
          trust-store = "%s"
          trust-store-password = "%s"
          protocol = "TLSv1.3"
          enabled-algorithms = ["TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256"]
          require-mutual-authentication = on
          # The certificates name the hosts (--hosts): a client checks the server it dialled.
          hostname-verification = on
        }
        """.formatted(f.keyStore().toAbsolutePath(), f.password(), f.password(), f.trustStore().toAbsolutePath(),
        trustPassword);
  }
}
