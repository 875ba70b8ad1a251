using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Perennial.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class InternalAuditProgramme : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "InternalAudits",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    OrganisationId = table.Column<Guid>(type: "uuid", nullable: false),
                    CycleId = table.Column<Guid>(type: "uuid", nullable: true),
                    Reference = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    PlannedStart = table.Column<DateOnly>(type: "date", nullable: false),
                    PlannedEnd = table.Column<DateOnly>(type: "date", nullable: false),
                    LeadAuditorUserId = table.Column<Guid>(type: "uuid", nullable: false),
                    Criteria = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    Status = table.Column<string>(type: "character varying(12)", maxLength: 12, nullable: false),
                    Units = table.Column<List<string>>(type: "text[]", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_InternalAudits", x => x.Id);
                    table.ForeignKey(
                        name: "FK_InternalAudits_AspNetUsers_LeadAuditorUserId",
                        column: x => x.LeadAuditorUserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_InternalAudits_CertificationCycles_CycleId",
                        column: x => x.CycleId,
                        principalTable: "CertificationCycles",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_InternalAudits_Organisations_OrganisationId",
                        column: x => x.OrganisationId,
                        principalTable: "Organisations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "InternalAuditAuditors",
                columns: table => new
                {
                    InternalAuditId = table.Column<Guid>(type: "uuid", nullable: false),
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    IsLead = table.Column<bool>(type: "boolean", nullable: false),
                    ConflictOverridden = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    OverrideJustification = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    OverriddenByUserId = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_InternalAuditAuditors", x => new { x.InternalAuditId, x.UserId });
                    table.ForeignKey(
                        name: "FK_InternalAuditAuditors_AspNetUsers_OverriddenByUserId",
                        column: x => x.OverriddenByUserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_InternalAuditAuditors_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_InternalAuditAuditors_InternalAudits_InternalAuditId",
                        column: x => x.InternalAuditId,
                        principalTable: "InternalAudits",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "InternalAuditScopeItems",
                columns: table => new
                {
                    InternalAuditId = table.Column<Guid>(type: "uuid", nullable: false),
                    Identifier = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Kind = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    SortOrder = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_InternalAuditScopeItems", x => new { x.InternalAuditId, x.Identifier });
                    table.ForeignKey(
                        name: "FK_InternalAuditScopeItems_InternalAudits_InternalAuditId",
                        column: x => x.InternalAuditId,
                        principalTable: "InternalAudits",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_InternalAuditAuditors_OverriddenByUserId",
                table: "InternalAuditAuditors",
                column: "OverriddenByUserId");

            migrationBuilder.CreateIndex(
                name: "IX_InternalAuditAuditors_UserId",
                table: "InternalAuditAuditors",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_InternalAudits_CycleId",
                table: "InternalAudits",
                column: "CycleId");

            migrationBuilder.CreateIndex(
                name: "IX_InternalAudits_LeadAuditorUserId",
                table: "InternalAudits",
                column: "LeadAuditorUserId");

            migrationBuilder.CreateIndex(
                name: "IX_InternalAudits_OrganisationId_CycleId_PlannedStart",
                table: "InternalAudits",
                columns: new[] { "OrganisationId", "CycleId", "PlannedStart" });

            migrationBuilder.CreateIndex(
                name: "IX_InternalAudits_OrganisationId_Reference",
                table: "InternalAudits",
                columns: new[] { "OrganisationId", "Reference" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_InternalAuditScopeItems_Identifier",
                table: "InternalAuditScopeItems",
                column: "Identifier");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "InternalAuditAuditors");

            migrationBuilder.DropTable(
                name: "InternalAuditScopeItems");

            migrationBuilder.DropTable(
                name: "InternalAudits");
        }
    }
}
