# syntax=docker/dockerfile:1
# rescue-ring: multi-stage image. The native module (better-sqlite3) is built in the build stage;
# the runtime stage gets production dependencies only and runs as a non-root user.
# No secret is baked in: tokens, keys and passwords come from the environment or mounted files.

ARG NODE_VERSION=22

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts \
 && npm rebuild better-sqlite3
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    DATA_DIR=/data \
    PORT=3000 \
    HEALTH_PORT=3001
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./package.json
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
EXPOSE 3000 3001
# /healthz answers on PORT in HTTP mode and on HEALTH_PORT in Socket Mode; the probe tries both.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "const p=[process.env.HEALTH_PORT,process.env.PORT];let n=0;const next=()=>{const port=p[n++];if(!port)process.exit(1);fetch('http://127.0.0.1:'+port+'/healthz').then(r=>process.exit(r.ok?0:1),next)};next()"
STOPSIGNAL SIGTERM
# The same command as `npm start` (package.json), V8 heap flags included (see docs/deploy.md).
CMD ["node", "--max-old-space-size=256", "--max-semi-space-size=4", "--liftoff-only", "dist/main.js"]
