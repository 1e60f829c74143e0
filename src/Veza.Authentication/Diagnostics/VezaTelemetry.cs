using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Veza.Authentication.Diagnostics;

/// <summary>Names of the library's <see cref="ActivitySource"/> and <see cref="Meter"/>, for OpenTelemetry set-up.</summary>
public static class VezaTelemetry
{
    /// <summary>The name of the activity source and of the meter: <c>Veza.Authentication</c>.</summary>
    public const string Name = "Veza.Authentication";

    internal static readonly ActivitySource ActivitySource = new(Name);

    internal static readonly Meter Meter = new(Name);

    /// <summary>Authentication attempts by method and result (success, rejected, throttled, unavailable).</summary>
    internal static readonly Counter<long> Authentications =
        Meter.CreateCounter<long>("veza.authentication.attempts", description: "Credential checks by method and result.");

    /// <summary>Argon2id verifications actually run (cache misses).</summary>
    internal static readonly Counter<long> SecretVerifications =
        Meter.CreateCounter<long>("veza.authentication.secret_verifications", description: "Argon2id checks run (cache misses).");

    /// <summary>Wrong secrets refused by their keyed fingerprint, without an Argon2id run.</summary>
    internal static readonly Counter<long> FingerprintRefusals =
        Meter.CreateCounter<long>("veza.authentication.fingerprint_refusals", description: "Wrong secrets refused by their fingerprint, without Argon2id.");
}
