namespace Perennial.AuditTrail;

/// <summary>
/// A bulky or derived field (imported catalog prose, OSCAL parts) left out of audit entries; the
/// record's other fields are still recorded.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class NotAuditedAttribute : Attribute;
