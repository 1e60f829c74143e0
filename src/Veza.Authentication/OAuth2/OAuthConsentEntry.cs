using Veza.Authentication.Stores;

namespace Veza.Authentication.OAuth2;

/// <summary>A consent a user gave, with the app it was given to.</summary>
/// <param name="Consent">The consent: app, team, scopes and when.</param>
/// <param name="App">The app, or <see langword="null"/> when it has been deleted since.</param>
public sealed record OAuthConsentEntry(OAuthConsentRecord Consent, OAuthClientRecord? App);
