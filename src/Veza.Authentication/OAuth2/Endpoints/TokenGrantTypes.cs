namespace Veza.Authentication.OAuth2.Endpoints;

/// <summary>The grant types of the token endpoint, found by <c>grant_type</c>, in the order they were registered.</summary>
internal sealed class TokenGrantTypes
{
    private readonly ITokenRequestParser[] _parsers;

    public TokenGrantTypes(IEnumerable<ITokenRequestParser> parsers)
    {
        _parsers = [.. parsers];
        UnsupportedDescription = "Supported grants: " + string.Join(", ", _parsers.Select(p => p.Grant.GrantType)) + ".";
    }

    /// <summary>The <c>error_description</c> of <c>unsupported_grant_type</c>: every grant type the server knows.</summary>
    public string UnsupportedDescription { get; }

    /// <summary>The grant types offered now, for the metadata's <c>grant_types_supported</c>.</summary>
    public IEnumerable<string> Offered => _parsers.Where(p => p.Grant.IsOffered).Select(p => p.Grant.GrantType);

    /// <summary>The grant type named <paramref name="grantType"/>, or <see langword="null"/> when the server knows none by that name.</summary>
    public ITokenRequestParser? Find(string grantType) => Array.Find(_parsers, p => p.Grant.GrantType == grantType);
}
