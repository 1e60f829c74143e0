using Microsoft.AspNetCore.Authentication;

namespace Veza.Authentication.Hosting;

/// <summary>
/// Options of the schemes <c>AddVezaAuthentication</c> registers (<c>Veza</c> and <c>Veza.ApiKey</c>). Everything
/// they need comes from <see cref="VezaAuthenticationOptions"/>, including <see cref="VezaAuthenticationOptions.Events"/>;
/// this type exists so the event contexts can name it, as the framework's own handlers do.
/// </summary>
public sealed class VezaBearerSchemeOptions : AuthenticationSchemeOptions
{
    /// <summary>The events, taken from <see cref="VezaAuthenticationOptions.Events"/> unless set for the scheme.</summary>
    public new VezaBearerEvents? Events
    {
        get => (VezaBearerEvents?)base.Events;
        set => base.Events = value;
    }

    /// <summary>Which credentials the scheme accepts: every kind for <c>Veza</c>, API keys for <c>Veza.ApiKey</c>.</summary>
    internal VezaCredentialKinds Accepts { get; set; } = VezaCredentialKinds.All;
}

/// <summary>Kinds of bearer credential, recognised by the shape of the token.</summary>
[Flags]
internal enum VezaCredentialKinds
{
    None = 0,
    ApiKey = 1,
    AccessToken = 2,
    All = ApiKey | AccessToken,
}
