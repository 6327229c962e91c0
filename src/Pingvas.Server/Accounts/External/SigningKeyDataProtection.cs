using System.Security.Cryptography;
using System.Text;

using Microsoft.AspNetCore.DataProtection;

using Pingvas.Server.Hosting;

namespace Pingvas.Server.Accounts.External;

/// <summary>
/// Protects the OAuth state (which carries the PKCE verifier and the return path) and the
/// round-trip cookie with AES-GCM under keys derived (HKDF) from <c>Auth:SigningKey</c>, one
/// per purpose chain (<c>Auth:PreviousSigningKeys</c> still unprotect). ASP.NET Core's default
/// key ring lives in each machine's own folder, so a callback reaching another api process could
/// not read the state its sibling wrote; every process that shares the signing key shares these
/// keys, with nothing to store.
/// </summary>
public sealed class SigningKeyDataProtection(SigningKeys keys) : IDataProtectionProvider
{
    public IDataProtector CreateProtector(string purpose) => new Protector(keys.Ring.Select(k => k.TokenKey).ToArray(), [purpose]);

    private sealed class Protector : IDataProtector
    {
        private const int NonceSize = 12;
        private const int TagSize = 16;

        private readonly byte[][] roots;
        private readonly string[] purposes;
        private readonly byte[][] keys;

        /// <param name="roots">The token keys of the ring, current first: it protects, any of them unprotects (a sign-in begun before a rotation completes after it).</param>
        public Protector(byte[][] roots, string[] purposes)
        {
            this.roots = roots;
            this.purposes = purposes;
            // The token key is itself a derived key; a second HKDF step with its own label keeps them apart.
            var info = Encoding.UTF8.GetBytes("pingvas/external-sign-in/" + string.Join('\u001f', purposes));
            keys = roots.Select(root => HKDF.DeriveKey(HashAlgorithmName.SHA256, root, 32, info: info)).ToArray();
        }

        public IDataProtector CreateProtector(string purpose) => new Protector(roots, [.. purposes, purpose]);

        public byte[] Protect(byte[] plaintext)
        {
            var output = new byte[NonceSize + TagSize + plaintext.Length];
            var nonce = output.AsSpan(0, NonceSize);
            RandomNumberGenerator.Fill(nonce);
            using var aes = new AesGcm(keys[0], TagSize);
            aes.Encrypt(nonce, plaintext, output.AsSpan(NonceSize + TagSize), output.AsSpan(NonceSize, TagSize));
            return output;
        }

        public byte[] Unprotect(byte[] protectedData)
        {
            if (protectedData.Length < NonceSize + TagSize)
            {
                throw new CryptographicException("The protected payload is too short.");
            }

            var plaintext = new byte[protectedData.Length - NonceSize - TagSize];
            for (var i = 0; ; i++)
            {
                using var aes = new AesGcm(keys[i], TagSize);
                try
                {
                    aes.Decrypt(protectedData.AsSpan(0, NonceSize), protectedData.AsSpan(NonceSize + TagSize), protectedData.AsSpan(NonceSize, TagSize), plaintext);
                    return plaintext;
                }
                catch (AuthenticationTagMismatchException) when (i < keys.Length - 1)
                {
                    // AES-GCM authenticates: a tag mismatch means another key of the ring (or, after the last, tampering, which throws).
                }
            }
        }
    }
}
