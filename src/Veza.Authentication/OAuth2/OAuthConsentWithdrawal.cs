namespace Veza.Authentication.OAuth2;

/// <summary>The outcome of withdrawing a user's consent to an app.</summary>
/// <param name="Result"><see cref="OAuthClientResult.Success"/>; <see cref="OAuthClientResult.NotFound"/> when the user had
/// not consented to the app; <see cref="OAuthClientResult.Forbidden"/>, or <see cref="OAuthClientResult.Invalid"/> when
/// the host named no user.</param>
/// <param name="Withdrawn">How many consents (one per team) were withdrawn.</param>
/// <param name="Error">Why the caller was refused, or what was not found.</param>
public sealed record OAuthConsentWithdrawal(OAuthClientResult Result, int Withdrawn, string? Error = null);
