namespace Veza.Authentication.JwtBearer;

/// <summary>Names <c>AddVezaJwtBearer</c> uses unless told otherwise.</summary>
public static class VezaJwtBearerDefaults
{
    /// <summary>
    /// The scheme name: <c>Veza</c>, the name the Veza authorization server's own default scheme has, so an API moved out
    /// of the server's process keeps its <c>[Authorize(AuthenticationSchemes = "Veza")]</c> attributes and policies.
    /// </summary>
    public const string AuthenticationScheme = "Veza";

    /// <summary>The scope the change feed asks for, the server's default <c>OAuth2.ChangeFeedScope</c>.</summary>
    public const string ChangeFeedScope = "veza:changes";
}
