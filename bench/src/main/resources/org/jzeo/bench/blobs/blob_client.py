"""Stores and loads blobs through the stock ZEO client for BlobThroughputTool; one JSON line per measurement.

Usage: python blob_client.py HOST PORT WORKDIR SIZE_BYTES ROUNDS
Each round stores a new blob of SIZE_BYTES (Blob.consumeFile of a file prepared outside the timing, then commit),
then opens a new client with an empty blob cache and reads the blob back whole (the download is sendBlob).
"""
import json
import os
import shutil
import sys
import tempfile
import time

import transaction
import ZODB
from ZEO.ClientStorage import ClientStorage
from ZODB.blob import Blob

CHUNK = 1 << 20


def open_db(address, workdir):
    cache = tempfile.mkdtemp(prefix='cache-', dir=workdir)
    storage = ClientStorage(address, blob_dir=cache, wait_timeout=60)
    return ZODB.DB(storage), cache


def make_source(path, size):
    with open(path, 'wb') as f:
        left = size
        while left > 0:
            n = min(CHUNK, left)
            f.write(os.urandom(n))
            left -= n


def main():
    host, port, workdir, size, rounds = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    address = (host, port)
    source = os.path.join(workdir, 'source.bin')
    make_source(source, size)
    for r in range(rounds):
        db, cache = open_db(address, workdir)
        staged = os.path.join(tempfile.mkdtemp(prefix='stage-', dir=workdir), 'blob.bin')
        shutil.copyfile(source, staged)
        conn = db.open()
        key = 'blob-%d-%d' % (size, r)
        start = time.perf_counter()
        blob = Blob()
        blob.consumeFile(staged)
        conn.root()[key] = blob
        transaction.commit()
        stored = time.perf_counter() - start
        conn.close()
        db.close()
        shutil.rmtree(cache, ignore_errors=True)

        db, cache = open_db(address, workdir)
        conn = db.open()
        start = time.perf_counter()
        read = 0
        with conn.root()[key].open('r') as f:
            while True:
                chunk = f.read(CHUNK)
                if not chunk:
                    break
                read += len(chunk)
        loaded = time.perf_counter() - start
        transaction.abort()
        conn.close()
        db.close()
        shutil.rmtree(cache, ignore_errors=True)
        if read != size:
            raise SystemExit('read %d bytes back, stored %d' % (read, size))
        print(json.dumps({'size': size, 'round': r, 'store_s': stored, 'load_s': loaded}), flush=True)


if __name__ == '__main__':
    main()
