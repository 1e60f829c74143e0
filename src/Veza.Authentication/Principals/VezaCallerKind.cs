namespace Veza.Authentication.Principals;

/// <summary>How a <see cref="VezaCaller"/> came to call: the credential it presented, or the host's own code.</summary>
public enum VezaCallerKind
{
    /// <summary>The host's own code (seeding, tidying up after a user leaves): trusted, and held to no management rule.</summary>
    Host = 0,

    /// <summary>A person signed in to the host interactively (usually its cookie), with their roles in one team.</summary>
    InteractiveSignIn = 1,

    /// <summary>A person's personal API key, with their roles in the key's team.</summary>
    PersonalApiKey = 2,

    /// <summary>A team API key: the team's service account, not a person. It manages nothing.</summary>
    TeamApiKey = 3,

    /// <summary>An OAuth2 client's access token (client credentials): a machine, not a person. It manages nothing.</summary>
    OAuth2Client = 4,

    /// <summary>An OAuth2 app's access token, acting for the user who consented. It manages nothing, not even for that user.</summary>
    OAuth2App = 5,
}
