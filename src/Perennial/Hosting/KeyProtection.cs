using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;

namespace Perennial.Hosting;

/// <summary>
/// Encrypts the data-protection keys (they sign sessions and protect collector secrets) with a
/// certificate the operator keeps outside the database, so a copy of the database alone cannot
/// forge sessions or read collector credentials. Without a certificate the keys are stored as they are.
/// </summary>
public sealed class KeyProtectionOptions
{
    public const string Section = "Perennial:DataProtection";

    /// <summary>A PKCS#12 (.pfx/.p12) file holding a certificate with its RSA private key.</summary>
    public string? CertificateFile { get; set; }

    public string? CertificatePassword { get; set; }

    /// <summary>Earlier certificates, still able to decrypt keys written before a change of certificate.</summary>
    public IList<string> PreviousCertificateFiles { get; } = [];
}

public static class KeyProtection
{
    public static IDataProtectionBuilder ProtectKeysIfConfigured(this IDataProtectionBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection(KeyProtectionOptions.Section).Get<KeyProtectionOptions>() ?? new KeyProtectionOptions();
        if (string.IsNullOrWhiteSpace(options.CertificateFile))
        {
            return builder;
        }

        var current = Load(options.CertificateFile, options.CertificatePassword, $"{KeyProtectionOptions.Section}:CertificateFile");
        var all = new List<X509Certificate2> { current };
        for (var i = 0; i < options.PreviousCertificateFiles.Count; i++)
        {
            all.Add(Load(options.PreviousCertificateFiles[i], options.CertificatePassword, $"{KeyProtectionOptions.Section}:PreviousCertificateFiles:{i}"));
        }

        // Unprotecting looks the certificate up in the machine's store unless it is handed over here.
        return builder.ProtectKeysWithCertificate(current).UnprotectKeysWithAnyCertificate([.. all]);
    }

    private static X509Certificate2 Load(string path, string? password, string setting)
    {
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"Setting {setting}: no file '{path}'.");
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password, X509KeyStorageFlags.EphemeralKeySet);
        }
        catch (CryptographicException e)
        {
            throw new InvalidOperationException($"Setting {setting}: '{path}' is not a PKCS#12 file this password opens ({e.Message}).", e);
        }

        if (!certificate.HasPrivateKey || certificate.GetRSAPrivateKey() is null)
        {
            certificate.Dispose();
            throw new InvalidOperationException($"Setting {setting}: '{path}' holds no RSA private key; data-protection keys need one to be decrypted.");
        }

        return certificate;
    }
}
