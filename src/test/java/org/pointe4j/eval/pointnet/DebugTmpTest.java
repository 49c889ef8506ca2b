package org.pointe4j.eval.pointnet;

import org.junit.jupiter.api.Test;
import org.pointe4j.Fixtures;
import org.pointe4j.io.Npz;
import org.pointe4j.io.HostArray;

class DebugTmpTest {
    @Test
    void levels() throws Exception {
        PointNet2 net = PointNet2.load(Fixtures.fixture("evals/pointnet_w1.pt"));
        java.lang.reflect.Field f = PointNet2.class.getDeclaredField("sa1");
        f.setAccessible(true);
        SetAbstraction sa1 = (SetAbstraction) f.get(net);
        float[] x = org.pointe4j.io.Npz.readNpy(new java.io.FileInputStream("/tmp/eval19/x.npy"), "x").toFloats();
        float[] l1x = org.pointe4j.io.Npz.readNpy(new java.io.FileInputStream("/tmp/eval19/l1x.npy"), "x").toFloats();
        float[] l1p = org.pointe4j.io.Npz.readNpy(new java.io.FileInputStream("/tmp/eval19/l1p.npy"), "x").toFloats();
        float[] mine = x.clone();
        float[] raw = Npz.read(Fixtures.fixture("evals/batch_a.npz")).get("arr_0").slice(0, 4).toFloats();
        Grouping.normalize(raw, 4, 1024);
        double e0 = 0;
        for (int i = 0; i < raw.length; i++) e0 = Math.max(e0, Math.abs(raw[i] - x[i]));
        System.out.println("DEBUG norm err " + e0);
        SetAbstraction.Level l = sa1.forward(net.manager(), x, 4, 1024, null, 0, new int[] {0, 1, 2, 3});
        double ex = 0, ep = 0;
        for (int i = 0; i < l1x.length; i++) ex = Math.max(ex, Math.abs(l.xyz()[i] - l1x[i]));
        for (int i = 0; i < l1p.length; i++) ep = Math.max(ep, Math.abs(l.features()[i] - l1p[i]));
        float[] l2p = org.pointe4j.io.Npz.readNpy(new java.io.FileInputStream("/tmp/eval19/l2p.npy"), "x").toFloats();
        float[] l3p = org.pointe4j.io.Npz.readNpy(new java.io.FileInputStream("/tmp/eval19/l3p.npy"), "x").toFloats();
        java.lang.reflect.Field f2 = PointNet2.class.getDeclaredField("sa2");
        f2.setAccessible(true);
        java.lang.reflect.Field f3 = PointNet2.class.getDeclaredField("sa3");
        f3.setAccessible(true);
        SetAbstraction.Level m2 = ((SetAbstraction) f2.get(net)).forward(net.manager(), l.xyz(), 4, 512, l.features(), 128, new int[] {0, 1, 2, 3});
        SetAbstraction.Level m3 = ((SetAbstraction) f3.get(net)).forward(net.manager(), m2.xyz(), 4, 128, m2.features(), 256, new int[] {0, 1, 2, 3});
        double e2 = 0, e3 = 0;
        for (int i = 0; i < l2p.length; i++) e2 = Math.max(e2, Math.abs(m2.features()[i] - l2p[i]));
        for (int i = 0; i < l3p.length; i++) e3 = Math.max(e3, Math.abs(m3.features()[i] - l3p[i]));
        System.out.println("DEBUG l2 " + e2 + " l3 " + e3 + " " + m3.features().length + " " + l3p.length);
        float[] f4 = org.pointe4j.io.Npz.readNpy(new java.io.FileInputStream("/tmp/eval19/feat4.npy"), "x").toFloats();
        PointNet2.Output o = net.forward(x.clone(), 4, 1024, new int[] {0, 1, 2, 3});
        double e4 = 0;
        for (int i = 0; i < f4.length; i++) e4 = Math.max(e4, Math.abs(o.features()[i] - f4[i]));
        System.out.println("DEBUG feat " + e4 + " " + o.features()[0] + " " + f4[0]+ " " + o.features()[1] + " " + f4[1]);
        System.out.println("DEBUG xyz err " + ex + " feat err " + ep + " len " + l.features().length + " " + l1p.length);
    }
}
