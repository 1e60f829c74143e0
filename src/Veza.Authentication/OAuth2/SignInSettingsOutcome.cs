using Veza.Authentication.Stores;

namespace Veza.Authentication.OAuth2;

/// <summary>The sign-in settings as read or changed, or why the caller may not.</summary>
/// <param name="Result">The outcome.</param>
/// <param name="Settings">The settings as stored now; <see langword="null"/> when the caller was refused.</param>
/// <param name="Error">Why the caller was refused.</param>
public sealed record SignInSettingsOutcome(SignInSettingsResult Result, VezaSignInSettings? Settings, string? Error = null);
