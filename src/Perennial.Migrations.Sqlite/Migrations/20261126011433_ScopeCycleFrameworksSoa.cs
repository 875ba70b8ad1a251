using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Perennial.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class ScopeCycleFrameworksSoa : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "CertificationCycles",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    OrganisationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Number = table.Column<int>(type: "INTEGER", nullable: false),
                    IsCurrent = table.Column<bool>(type: "INTEGER", nullable: false),
                    CertificationBody = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    CertificateNumber = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    StandardVersion = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Stage2AuditDate = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    IssueDate = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    ExpiryDate = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    RecertificationLeadDays = table.Column<int>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CertificationCycles", x => x.Id);
                    table.ForeignKey(
                        name: "FK_CertificationCycles_Organisations_OrganisationId",
                        column: x => x.OrganisationId,
                        principalTable: "Organisations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ControlMappings",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    OrganisationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    MappingSet = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    SourceFamily = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    SourceIdentifier = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    TargetFamily = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    TargetIdentifier = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Relationship = table.Column<string>(type: "TEXT", maxLength: 30, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ControlMappings", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ControlMappings_Organisations_OrganisationId",
                        column: x => x.OrganisationId,
                        principalTable: "Organisations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "Frameworks",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    OrganisationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Key = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Family = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    Version = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    Source = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    SourceUuid = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    ResolvedFromFrameworkId = table.Column<Guid>(type: "TEXT", nullable: true),
                    ImportedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ControlCount = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Frameworks", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Frameworks_Organisations_OrganisationId",
                        column: x => x.OrganisationId,
                        principalTable: "Organisations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ScopeVersions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    OrganisationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Number = table.Column<int>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    AuthorUserId = table.Column<Guid>(type: "TEXT", nullable: true),
                    AuthorName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    ChangeNote = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    Statement = table.Column<string>(type: "TEXT", maxLength: 10000, nullable: false),
                    ListsJson = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ScopeVersions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ScopeVersions_Organisations_OrganisationId",
                        column: x => x.OrganisationId,
                        principalTable: "Organisations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "SoaVersions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    OrganisationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Number = table.Column<int>(type: "INTEGER", nullable: false),
                    PublishedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ApproverUserId = table.Column<Guid>(type: "TEXT", nullable: true),
                    ApproverName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    Summary = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SoaVersions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_SoaVersions_Organisations_OrganisationId",
                        column: x => x.OrganisationId,
                        principalTable: "Organisations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ExternalAudits",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    OrganisationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CycleId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    PlannedDate = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    WindowStart = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    WindowEnd = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    HeldOn = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    Auditors = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    Notes = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ExternalAudits", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ExternalAudits_CertificationCycles_CycleId",
                        column: x => x.CycleId,
                        principalTable: "CertificationCycles",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "Controls",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    OrganisationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    FrameworkId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Identifier = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    Description = table.Column<string>(type: "TEXT", nullable: true),
                    LicensedTitle = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    LicensedText = table.Column<string>(type: "TEXT", nullable: true),
                    Group = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    ParentIdentifier = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    SortOrder = table.Column<int>(type: "INTEGER", nullable: false),
                    OscalJson = table.Column<string>(type: "TEXT", nullable: true),
                    OwnerUserId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Status = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    ImplementationNotes = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Controls", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Controls_Frameworks_FrameworkId",
                        column: x => x.FrameworkId,
                        principalTable: "Frameworks",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "SoaRows",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    OrganisationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    SoaVersionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ControlIdentifier = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    SortOrder = table.Column<int>(type: "INTEGER", nullable: false),
                    Applicable = table.Column<bool>(type: "INTEGER", nullable: true),
                    Justification = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    Status = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    OwnerUserId = table.Column<Guid>(type: "TEXT", nullable: true),
                    OwnerName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    LinkedRisks = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    LinkedActivities = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    Notes = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    ChangeReason = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SoaRows", x => x.Id);
                    table.ForeignKey(
                        name: "FK_SoaRows_SoaVersions_SoaVersionId",
                        column: x => x.SoaVersionId,
                        principalTable: "SoaVersions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AuditFindings",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    OrganisationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ExternalAuditId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 30, nullable: false),
                    Reference = table.Column<string>(type: "TEXT", maxLength: 50, nullable: false),
                    Description = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    ControlIdentifier = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    ClosureDeadline = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    ClosedOn = table.Column<DateOnly>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AuditFindings", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AuditFindings_ExternalAudits_ExternalAuditId",
                        column: x => x.ExternalAuditId,
                        principalTable: "ExternalAudits",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ControlDocuments",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    OrganisationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ControlId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    Link = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    Version = table.Column<string>(type: "TEXT", maxLength: 50, nullable: true),
                    ReviewDate = table.Column<DateOnly>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ControlDocuments", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ControlDocuments_Controls_ControlId",
                        column: x => x.ControlId,
                        principalTable: "Controls",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AuditFindings_ExternalAuditId",
                table: "AuditFindings",
                column: "ExternalAuditId");

            migrationBuilder.CreateIndex(
                name: "IX_CertificationCycles_OrganisationId_Number",
                table: "CertificationCycles",
                columns: new[] { "OrganisationId", "Number" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ControlDocuments_ControlId",
                table: "ControlDocuments",
                column: "ControlId");

            migrationBuilder.CreateIndex(
                name: "IX_ControlMappings_OrganisationId_MappingSet_SourceIdentifier_TargetIdentifier",
                table: "ControlMappings",
                columns: new[] { "OrganisationId", "MappingSet", "SourceIdentifier", "TargetIdentifier" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ControlMappings_OrganisationId_SourceFamily_SourceIdentifier",
                table: "ControlMappings",
                columns: new[] { "OrganisationId", "SourceFamily", "SourceIdentifier" });

            migrationBuilder.CreateIndex(
                name: "IX_ControlMappings_OrganisationId_TargetFamily_TargetIdentifier",
                table: "ControlMappings",
                columns: new[] { "OrganisationId", "TargetFamily", "TargetIdentifier" });

            migrationBuilder.CreateIndex(
                name: "IX_Controls_FrameworkId_Identifier",
                table: "Controls",
                columns: new[] { "FrameworkId", "Identifier" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Controls_OrganisationId_Identifier",
                table: "Controls",
                columns: new[] { "OrganisationId", "Identifier" });

            migrationBuilder.CreateIndex(
                name: "IX_ExternalAudits_CycleId_Kind",
                table: "ExternalAudits",
                columns: new[] { "CycleId", "Kind" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Frameworks_OrganisationId_Family",
                table: "Frameworks",
                columns: new[] { "OrganisationId", "Family" });

            migrationBuilder.CreateIndex(
                name: "IX_Frameworks_OrganisationId_Key",
                table: "Frameworks",
                columns: new[] { "OrganisationId", "Key" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ScopeVersions_OrganisationId_Number",
                table: "ScopeVersions",
                columns: new[] { "OrganisationId", "Number" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_SoaRows_SoaVersionId_ControlIdentifier",
                table: "SoaRows",
                columns: new[] { "SoaVersionId", "ControlIdentifier" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_SoaVersions_OrganisationId_Number",
                table: "SoaVersions",
                columns: new[] { "OrganisationId", "Number" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AuditFindings");

            migrationBuilder.DropTable(
                name: "ControlDocuments");

            migrationBuilder.DropTable(
                name: "ControlMappings");

            migrationBuilder.DropTable(
                name: "ScopeVersions");

            migrationBuilder.DropTable(
                name: "SoaRows");

            migrationBuilder.DropTable(
                name: "ExternalAudits");

            migrationBuilder.DropTable(
                name: "Controls");

            migrationBuilder.DropTable(
                name: "SoaVersions");

            migrationBuilder.DropTable(
                name: "CertificationCycles");

            migrationBuilder.DropTable(
                name: "Frameworks");
        }
    }
}
