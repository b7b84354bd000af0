-- CreateTable
CREATE TABLE "DiscoveredRecord" (
    "source" TEXT NOT NULL,
    "externalId" TEXT NOT NULL,
    "identity" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DiscoveredRecord_pkey" PRIMARY KEY ("source","externalId")
);
