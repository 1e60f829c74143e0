namespace Veza.Authentication.OAuth2;

/// <summary>The outcome of reading or changing the sign-in settings.</summary>
public enum SignInSettingsResult
{
    /// <summary>Done.</summary>
    Success = 0,

    /// <summary>Another change came first; read the settings and try again.</summary>
    Conflict = 1,

    /// <summary>The caller may not do this; <see cref="SignInSettingsOutcome.Error"/> says why.</summary>
    Forbidden = 2,
}
