-- CreateTable
CREATE TABLE "ApiRateBucket" (
    "tokenId" TEXT NOT NULL,
    "tokens" DOUBLE PRECISION NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ApiRateBucket_pkey" PRIMARY KEY ("tokenId")
);
